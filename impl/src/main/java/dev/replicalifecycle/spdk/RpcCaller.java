package dev.replicalifecycle.spdk;

import com.fasterxml.jackson.databind.JsonNode;

/** One JSON-RPC call; {@link JsonRpcClient#call(String, Object)} in production. */
@FunctionalInterface
interface RpcCaller {
  JsonNode call(String method, Object params) throws JsonRpcException;
}
