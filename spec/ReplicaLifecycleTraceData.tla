--------------------- MODULE ReplicaLifecycleTraceData ---------------------
(***************************************************************************)
(* The traces MCReplicaLifecycleTrace checks.  This file holds two         *)
(* hand-written V4 examples; conformance/ generates a file of the same     *)
(* name and shape with each recorded batch (in its run directory, never    *)
(* here).  An event is <<action, proc, name, outcome>>; name "" is None.   *)
(***************************************************************************)

TraceNames == {"n1"}             \* the names the traces use
TraceClients == {"c1", "c2"}     \* the clients the traces use

TraceData == <<
  \* 1: c1 creates n1 while a verify round runs; the round skips the
  \*    reservation (in flight); c2 deletes n1.
  << <<"CreateReserve", "c1", "n1", "ok">>,
     <<"VerifyStart", "verify", "", "ok">>,
     <<"VerifyList", "verify", "", "ok">>,
     <<"VerifyApply", "verify", "n1", "inflight">>,
     <<"CreateLvol", "c1", "n1", "timeout">>,
     <<"CreateRollback", "c1", "n1", "ok">>,
     <<"CreateAbort", "c1", "n1", "removed">>,
     <<"CreateReserve", "c1", "n1", "ok">>,
     <<"CreateLvol", "c1", "n1", "ok">>,
     <<"CreateExpose", "c1", "n1", "ok">>,
     <<"CreatePublish", "c1", "n1", "running">>,
     <<"DeleteMark", "c2", "n1", "found">>,
     <<"DeleteLvol", "c2", "n1", "ok">>,
     <<"DeleteRemove", "c2", "n1", "removed">> >>,
  \* 2: not a behaviour: a create that found the name taken goes on.
  << <<"CreateReserve", "c1", "n1", "ok">>,
     <<"CreateReserve", "c2", "n1", "exists">>,
     <<"CreateLvol", "c2", "n1", "ok">> >>
>>
=============================================================================
