---------------------- MODULE ReplicaChainsTraceData ----------------------
(***************************************************************************)
(* The traces MCReplicaChainsTrace checks.  This file holds two            *)
(* hand-written V4 examples; conformance/ generates a file of the same     *)
(* name and shape with each recorded batch (in its run directory, never    *)
(* here).  An event is [action, name, outcome]; name "" for none.          *)
(***************************************************************************)

E(a, n, o) == [action |-> a, name |-> n, outcome |-> o]

TraceData == <<
  \* 1: a snapshot of n1 while a round runs (the round skips n1: in flight),
  \*    then a rebuild of n2 begun, snapshotted and finished.
  << E("SnapMark", "n1", "s1"), E("VerifyStart", "", "ok"), E("VerifyList", "", "ok"),
     E("SnapCall", "n1", "ok"), E("VerifyApply", "n1", "inflight"), E("SnapPublish", "n1", "ok"),
     E("RebuildBegin", "n2", "ok"), E("RebuildLvol", "n2", "ok"), E("SnapMark", "n2", "s2"),
     E("SnapCall", "n2", "ok"), E("SnapPublish", "n2", "ok"), E("VerifyStart", "", "ok"),
     E("VerifyList", "", "ok"), E("VerifyApply", "n1", "keep"), E("VerifyApply", "n2", "keep"),
     E("RebuildFinishMark", "n2", "ok"), E("RebuildRename", "n2", "ok"),
     E("RebuildFinishPublish", "n2", "running") >>,
  \* 2: not a behaviour of V4: the round judges n1 (keep) although the
  \*    snapshot holding it is in flight.
  << E("SnapMark", "n1", "s1"), E("VerifyStart", "", "ok"), E("VerifyList", "", "ok"),
     E("VerifyApply", "n1", "keep") >>
>>
=============================================================================
