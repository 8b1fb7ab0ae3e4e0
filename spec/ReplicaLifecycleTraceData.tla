--------------------- MODULE ReplicaLifecycleTraceData ---------------------
(***************************************************************************)
(* The traces MCReplicaLifecycleTrace checks.  This file holds two         *)
(* hand-written V4 examples; conformance/ generates a file of the same     *)
(* name and shape with each recorded batch (in its run directory, never    *)
(* here).  Each event is one integer (ReplicaLifecycleTrace explains the   *)
(* encoding); the comments show it decoded.                                *)
(***************************************************************************)

TraceNameSeq == <<"n1">>                        \* the names, by index
TraceNames == {"n1"}                            \* the same, as a set
TraceProcs == <<"verify", "env", "c1", "c2">>   \* the processes, by index
TraceClients == {"c1", "c2"}                    \* the clients among them

TraceData == <<
  \* 1: c1 creates n1 while a verify round runs (the round skips the
  \*    reservation: in flight); the lvol call times out while SPDK goes on
  \*    with it: the rollback finds nothing, the call lands, the probe create
  \*    finds the name taken, the rollback deletes the lvol; c1 creates n1
  \*    again; c2 deletes it.
  << 266433,         \* CreateReserve c1 n1 -> ok
     3412032,        \* VerifyStart verify -> ok
     3674176,        \* VerifyList verify -> ok
     3981377,        \* VerifyApply verify n1 -> inflight
     540865,         \* CreateLvol c1 n1 -> timeout
     1331393,        \* CreateRollback c1 n1 -> notfound
     4808833,        \* LateApply env n1 -> create
     1581249,        \* CreateSettle c1 n1 -> exists
     1315009,        \* CreateRollback c1 n1 -> ok
     1867969,        \* CreateAbort c1 n1 -> removed
     266433,         \* CreateReserve c1 n1 -> ok
     528577,         \* CreateLvol c1 n1 -> ok
     790721,         \* CreateExpose c1 n1 -> ok
     1073345,        \* CreatePublish c1 n1 -> running
     2138369,        \* DeleteMark c2 n1 -> found
     2380033,        \* DeleteRlvol c2 n1 -> notfound
     2625793,        \* DeleteLvol c2 n1 -> ok
     3178753>>,      \* DeleteRemove c2 n1 -> removed
  \* 2: not a behaviour: a create that found the name taken goes on.
  << 266433,         \* CreateReserve c1 n1 -> ok
     270593,         \* CreateReserve c2 n1 -> exists
     528641>>        \* CreateLvol c2 n1 -> ok
>>
=============================================================================
