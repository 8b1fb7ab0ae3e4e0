------------------------- MODULE ReplicaChainsTrace -------------------------
(***************************************************************************)
(* Trace validation for ReplicaChains: is a trace recorded from the Java   *)
(* library's snapshot, start and rebuild operations, with verify rounds    *)
(* running beside them, a behaviour of the spec's V4?                      *)
(*                                                                         *)
(* The library reports each step to its StepListener; conformance/         *)
(* records them in the order they took effect, as events [action, name,    *)
(* outcome] in the spec's words (ChainTraceValidationTest): a rebuild's    *)
(* begin and abort are a create and a delete in the library, recorded as   *)
(* RebuildBegin, RebuildLvol (at its publish), RebuildAbortMark,           *)
(* RebuildAbortDelete and RebuildAbortRemove (at its remove); tries that   *)
(* wait for a busy name, or that the replica's state refuses, are no       *)
(* steps; the harness adds the environment's LoseHead and Restart.  Each   *)
(* step of the spec must produce the next event as its step record.        *)
(*                                                                         *)
(* Many traces are checked in one TLC run: the initial state picks a trace *)
(* index t.  MCReplicaChainsTrace prints the index of each trace that      *)
(* reaches its end; the others are rejected.  The batch is the module      *)
(* ReplicaChainsTraceData (an example in spec/; conformance/ writes one    *)
(* per run).                                                               *)
(*                                                                         *)
(* Where Java and the spec legitimately differ in what they say:           *)
(*  - Java's verify skips a name with "changed" (changed since its stamp)  *)
(*    or "inflight" (an operation holds it): the spec's "skip"; a name     *)
(*    freed during the round keeps a tombstone in Java ("changed"): the    *)
(*    spec's "keep" of a name with no entry.                               *)
(*  - Java's verify visits only the names it knows when it begins to       *)
(*    apply (an entry, or a head in its listing); the spec decides every   *)
(*    name.  Before the next round or a restart, the spec may decide the   *)
(*    names Java did not visit, silently, if the decision changes nothing  *)
(*    (keep, skip), and end the round.                                     *)
(***************************************************************************)
EXTENDS ReplicaChains, Sequences, ReplicaChainsTraceData

(* The traces, from ReplicaChainsTraceData: a sequence of traces, each a   *)
(* sequence of events [action, name, outcome]; name "" for none.           *)
Traces == TraceData

ASSUME Variant = "V4" /\ Mutant = "none"

VARIABLES
    t,      \* the index of the trace this behaviour follows
    i       \* how many of its events have been matched

tvars == <<vars, t, i>>

Tr == Traces[t]

EvName(e) == IF e.name = "" THEN None ELSE e.name

(* Java's outcome word j for the spec's s, of a step about name n (the     *)
(* state before the step).                                                 *)
OutcomeMatches(s, j, n) ==
    \/ s = j
    \/ s = "skip" /\ j \in {"changed", "inflight"}
    \/ s = "keep" /\ j = "changed" /\ n /= None /\ map[n] = None /\ n \in changed

(* The step just taken is the event e. *)
StepIs(e) ==
    /\ step'.action = e.action
    /\ step'.name = EvName(e)
    /\ OutcomeMatches(step'.outcome, e.outcome, EvName(e))

(* The action the event names, with the event's parameters. *)
Replay(e) ==
    LET a == e.action
        n == EvName(e)
    IN
    \/ a = "SnapMark"             /\ SnapMark(n, e.outcome)
    \/ a = "SnapCall"             /\ SnapCall(n)
    \/ a = "SnapPublish"          /\ SnapPublish(n)
    \/ a = "SnapDelMark"          /\ SnapDelMark(n, e.outcome)
    \/ a = "SnapDelCall"          /\ SnapDelCall(n)
    \/ a = "SnapDelPublish"       /\ SnapDelPublish(n)
    \/ a = "StartMark"            /\ StartMark(n)
    \/ a = "StartLook"            /\ StartLook(n)
    \/ a = "RebuildBegin"         /\ RebuildBegin(n)
    \/ a = "RebuildLvol"          /\ RebuildLvol(n)
    \/ a = "RebuildFinishMark"    /\ RebuildFinishMark(n)
    \/ a = "RebuildRename"        /\ RebuildRename(n)
    \/ a = "RebuildFinishPublish" /\ RebuildFinishPublish(n)
    \/ a = "RebuildAbortMark"     /\ RebuildAbortMark(n)
    \/ a = "RebuildAbortDelete"   /\ RebuildAbortDelete(n)
    \/ a = "RebuildAbortRemove"   /\ RebuildAbortRemove(n)
    \/ a = "VerifyStart"          /\ VerifyStart
    \/ a = "VerifyList"           /\ VerifyList
    \/ a = "VerifyApply"          /\ VerifyApply(n)
    \/ a = "LoseHead"             /\ LoseHead(n)
    \/ a = "Restart"              /\ Restart

(* Match the next event. *)
Follow ==
    /\ i < Len(Tr)
    /\ Replay(Tr[i + 1])
    /\ StepIs(Tr[i + 1])
    /\ i' = i + 1
    /\ UNCHANGED t

(* Before the next round or a restart, end this round: the names Java did  *)
(* not visit, in one fixed order (CHOOSE), each decision changing nothing; *)
(* then VerifyDone.                                                        *)
FinishRound ==
    /\ i < Len(Tr) /\ Tr[i + 1].action \in {"VerifyStart", "Restart"}
    /\ vf.pc = "listed"
    /\ IF vf.todo = {}
       THEN VerifyDone
       ELSE /\ VerifyApply(CHOOSE n \in vf.todo : TRUE)
            /\ step'.outcome \in {"keep", "skip"}
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
