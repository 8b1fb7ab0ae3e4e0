package dev.replicalifecycle.spdk;

import dev.replicalifecycle.store.InMemoryLvolStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A {@link JsonRpcTestTarget} on a socket in a fresh temporary directory, with a client and an
 * {@link SpdkLvolStore} (lvol store named by name) over it. Close it after use.
 */
final class TargetFixture implements AutoCloseable {

  private final Path dir;
  private final JsonRpcTestTarget target;
  private final JsonRpcClient client;
  private final SpdkLvolStore store;

  private TargetFixture(UnaryOperator<JsonRpcClient.Builder> clientConfig) throws IOException {
    // Unix socket paths are limited to ~107 bytes: keep it short.
    this.dir = Files.createTempDirectory(Path.of("/tmp"), "spdk");
    this.target = JsonRpcTestTarget.start(dir.resolve("spdk.sock"), new InMemoryLvolStore());
    this.client = clientConfig.apply(
        JsonRpcClient.builder(target.socketPath()).callTimeout(Duration.ofSeconds(5))).build();
    this.store = SpdkLvolStore.builder(client).lvstoreName(JsonRpcTestTarget.LVS_NAME).build();
  }

  static TargetFixture start() throws IOException {
    return new TargetFixture(b -> b);
  }

  static TargetFixture start(UnaryOperator<JsonRpcClient.Builder> clientConfig)
      throws IOException {
    return new TargetFixture(clientConfig);
  }

  JsonRpcTestTarget target() {
    return target;
  }

  JsonRpcClient client() {
    return client;
  }

  SpdkLvolStore store() {
    return store;
  }

  Path dir() {
    return dir;
  }

  /** A store over the same client that names the lvol store by UUID. */
  SpdkLvolStore storeByUuid() {
    return SpdkLvolStore.builder(client).lvstoreUuid(JsonRpcTestTarget.LVS_UUID).build();
  }

  @Override
  public void close() throws IOException {
    client.close();
    target.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
