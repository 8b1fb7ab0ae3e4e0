------------------------------- MODULE Counter -------------------------------
(***************************************************************************)
(* Toy spec for the modelcheck module's own tests: processes increment a  *)
(* shared counter up to Max. With Procs = {p1, p2} and Max = 3 it has     *)
(* 1 + 2 + 4 + 6 = 13 distinct states (x = k >= 1: k+1 splits of hits     *)
(* times the last incrementer, minus the splits where it has no hit) and  *)
(* depth 4.                                                               *)
(***************************************************************************)
EXTENDS Integers, TLC

CONSTANTS Procs,   \* model values
          Max      \* the counter stops here (then the spec deadlocks)

VARIABLES x,       \* the counter
          hits,    \* hits[p]: increments done by p
          seen,    \* processes that incremented at least once
          step     \* the last step, as a record (convention of the modelcheck module)

vars == <<x, hits, seen, step>>

Init == /\ x = 0
        /\ hits = [p \in Procs |-> 0]
        /\ seen = {}
        /\ step = [action |-> "Init"]

Inc(p) == /\ x < Max
          /\ x' = x + 1
          /\ hits' = [hits EXCEPT ![p] = @ + 1]
          /\ seen' = seen \cup {p}
          /\ step' = [action |-> "Inc", proc |-> p, n |-> x, note |-> "a \"quoted\" word"]

Next == \E p \in Procs : Inc(p)

TypeOK == /\ x \in 0..Max
          /\ hits \in [Procs -> 0..Max]
          /\ seen \subseteq Procs

Small == x < 2          \* fails after two increments
NeverStarted == x = 0   \* fails in the first step
Positive == x > 0       \* fails in the initial state

\* VIEW for TLC: states that differ only in step count once (1 + 2 + 3 + 4 = 10 states)
NoStep == <<x, hits, seen>>
==============================================================================
