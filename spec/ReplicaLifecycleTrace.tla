----------------------- MODULE ReplicaLifecycleTrace -----------------------
(***************************************************************************)
(* Trace validation: is a trace recorded from the Java registry a          *)
(* behaviour of ReplicaLifecycle?                                          *)
(*                                                                         *)
(* The Java registry reports each atomic step it takes (SpecAction, Step,  *)
(* StepListener in impl/); conformance/ records them, in the order they    *)
(* took effect, as events <<action, proc, name, outcome>> in the spec's    *)
(* words: clients are renamed c1..ck, names n1..nk, verify's steps have    *)
(* proc "verify", the test harness adds the environment's LoseLvol and     *)
(* Restart.  This module constrains the spec's Next so that each step      *)
(* produces exactly the next event as its step record: a trace is          *)
(* accepted when some behaviour of the spec reaches its end.               *)
(*                                                                         *)
(* Many traces are checked in one TLC run: the initial state picks a trace *)
(* index t, and the behaviours of different traces never meet (t is part   *)
(* of every state).  MCReplicaLifecycleTrace.tla prints the index of each  *)
(* trace that reaches its end; the others are rejected.  The batch is the  *)
(* module ReplicaLifecycleTraceData (an example in spec/; conformance/     *)
(* writes one per run).                                                    *)
(*                                                                         *)
(* Where Java and the spec legitimately differ in what they say:           *)
(*  - Java cannot tell the three kinds of timeout apart: its "timeout"     *)
(*    matches the spec's timeout-applied, timeout-lost and timeout-late.   *)
(*  - V4's verify visits only the names it knows (an entry, or a head lvol *)
(*    in its listing); the spec applies a decision to every name.  Before  *)
(*    the next round starts, the spec may apply the names Java did not     *)
(*    visit, silently, if the decision changes nothing (keep, changed,     *)
(*    uncertain).                                                          *)
(*  - The engine is not part of the Java registry: EngineOn must be FALSE. *)
(***************************************************************************)
EXTENDS ReplicaLifecycle, Sequences, ReplicaLifecycleTraceData

(* The traces: a sequence of traces, each a sequence of events, from the   *)
(* module ReplicaLifecycleTraceData.  Not a CONSTANT replaced in the .cfg  *)
(* (Traces <- TraceData): TLC then evaluates the whole batch again at      *)
(* every use, measured at 330 states/s against 10,000 states/s this way.   *)
Traces == TraceData

(* An event <<action, proc, name, outcome>> is one integer,                *)
(*     ((a * 64 + o) * 64 + p) * 64 + k                                    *)
(* with a and o the indexes of its action and outcome words below, p the   *)
(* index of its process in TraceProcs and k of its name in TraceNameSeq    *)
(* (0: None), both from the data module.  Written as tuples of strings, a  *)
(* trace of 40 events takes SANY about 370 KB to parse, which limits a     *)
(* batch to a few thousand traces; as integers, a fraction of that.        *)
EvActions ==
    <<"CreateReserve", "CreateLvol", "CreateExpose", "CreatePublish", "CreateRollback",
      "CreateSettle", "CreateAbort", "DeleteMark", "DeleteRlvol", "DeleteLvol", "DeleteProbe",
      "DeleteRemove", "VerifyStart", "VerifyList", "VerifyApply", "LoseLvol", "Restart",
      "LateApply", "LateDrop">>
EvOutcomes ==
    <<"ok", "exists", "fail", "timeout", "notfound", "running", "error", "removed", "absent",
      "found", "changed", "inflight", "adopt", "keep", "installed", "skipped", "busy", "partial",
      "unreadable", "broken", "uncertain", "create", "delete", "rdelete">>

ASSUME ~EngineOn

VARIABLES
    t,      \* the index of the trace this behaviour follows
    i       \* how many of its events have been matched

tvars == <<vars, t, i>>

Tr == Traces[t]

(* The fields of an event. *)
EvAction(e)  == EvActions[e \div 262144]
EvOutcome(e) == EvOutcomes[(e \div 4096) % 64]
EvProc(e)    == TraceProcs[(e \div 64) % 64]
EvName(e)    == IF e % 64 = 0 THEN None ELSE TraceNameSeq[e % 64]

(* Java's outcome word for the spec's: equal, except for the timeouts. *)
OutcomeMatches(spec, java) ==
    \/ spec = java
    \/ java = "timeout" /\ spec \in {"timeout-applied", "timeout-lost", "timeout-late"}

(* The step just taken is the event e. *)
StepIs(e) ==
    /\ step'.action = EvAction(e)
    /\ step'.proc = EvProc(e)
    /\ step'.name = EvName(e)
    /\ OutcomeMatches(step'.outcome, EvOutcome(e))

(* The action the event names, with the event's parameters: only that      *)
(* action is tried, which keeps each trace's state space a thin line.      *)
Replay(e) ==
    LET a == EvAction(e)
        p == EvProc(e)
        n == EvName(e)
    IN
    \/ a = "CreateReserve"  /\ CreateReserve(p, n)
    \/ a = "CreateLvol"     /\ CreateLvol(p)
    \/ a = "CreateExpose"   /\ CreateExpose(p)
    \/ a = "CreatePublish"  /\ CreatePublish(p)
    \/ a = "CreateRollback" /\ CreateRollback(p)
    \/ a = "CreateSettle"   /\ CreateSettle(p)
    \/ a = "CreateAbort"    /\ CreateAbort(p)
    \/ a = "DeleteMark"     /\ DeleteMark(p, n)
    \/ a = "DeleteRlvol"    /\ DeleteRlvol(p)
    \/ a = "DeleteLvol"     /\ DeleteLvol(p)
    \/ a = "DeleteProbe"    /\ DeleteProbe(p)
    \/ a = "DeleteRemove"   /\ DeleteRemove(p)
    \/ a = "VerifyStart"    /\ VerifyStart
    \/ a = "VerifyList"     /\ CASE EvOutcome(e) = "ok"                -> VerifyListFull
                                []   EvOutcome(e) \in {"fail", "broken"} -> VerifyListFault
                                []   OTHER                              -> VerifyListPartial
    \/ a = "VerifyApply"    /\ IF n = None THEN VerifyApplyRound ELSE VerifyApplyName(n)
    \/ a = "LoseLvol"       /\ LoseLvol(n)
    \/ a = "Restart"        /\ Restart
    \/ a = "LateApply"      /\ \E x \in late : x.name = n /\ LateApply(x)
    \/ a = "LateDrop"       /\ \E x \in late : x.name = n /\ LateDrop(x)

(* Match the next event. *)
Follow ==
    /\ i < Len(Tr)
    /\ Replay(Tr[i + 1])
    /\ StepIs(Tr[i + 1])
    /\ i' = i + 1
    /\ UNCHANGED t

(* V4: before the next round starts, finish this one with the names Java   *)
(* did not visit; their decision must change nothing.  One fixed order     *)
(* (CHOOSE), so that this adds one state per name, not one per subset.     *)
FinishRound ==
    /\ Variant = "V4"
    /\ i < Len(Tr) /\ EvAction(Tr[i + 1]) = "VerifyStart"
    /\ vf.pc = "apply"
    /\ VerifyApplyName(CHOOSE n \in vf.todo : TRUE)
    /\ step'.outcome \in {"keep", "changed", "uncertain"}
    /\ UNCHANGED <<t, i>>

TraceInit ==
    /\ Init
    /\ t \in 1..Len(Traces)
    /\ i = 0

TraceNext == Follow \/ FinishRound

TraceSpec == TraceInit /\ [][TraceNext]_tvars

(* The trace followed by this behaviour has been matched to its end. *)
Accepted == i = Len(Tr)
=============================================================================
