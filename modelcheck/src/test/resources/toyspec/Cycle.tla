-------------------------------- MODULE Cycle --------------------------------
(***************************************************************************)
(* Toy liveness spec: x cycles 0 -> 1 -> 2 -> 0 under weak fairness of A; *)
(* y may go from 0 to 1 once (B, not fair).                                *)
(***************************************************************************)
EXTENDS Integers

VARIABLES x,    \* cycles through 0..2
          y,    \* 0 or 1
          step  \* the last step

vars == <<x, y, step>>

Init == x = 0 /\ y = 0 /\ step = [action |-> "Init"]
A == x' = (x + 1) % 3 /\ y' = y /\ step' = [action |-> "A", from |-> x]
B == y = 0 /\ y' = 1 /\ x' = x /\ step' = [action |-> "B"]

Spec == Init /\ [][A \/ B]_vars /\ WF_vars(A)
Unfair == Init /\ [][A \/ B]_vars

SettlesAtZero == <>[](x = 0)   \* false: A keeps cycling (lasso)
ReachesOne == <>(x = 1)        \* false without fairness (stuttering)
VisitsZero == []<>(x = 0)      \* true under Spec
==============================================================================
