------------------------- MODULE MCReplicaLifecycle -------------------------
(***************************************************************************)
(* Bounds and checker-only definitions for ReplicaLifecycle.  The models   *)
(* are the MCReplicaLifecycle_*.cfg files next to this module; each sets   *)
(* the constants (names and clients as model values, the variant, the      *)
(* fault budgets) and the properties it checks.  spec/manifest.json lists  *)
(* every model with its expected verdict and state counts.                 *)
(***************************************************************************)
EXTENDS ReplicaLifecycle, TLC

(* Names and clients are interchangeable: safety models check one state    *)
(* per orbit.  Never used with liveness (TLC may then miss violations).    *)
Symmetry == Permutations(Names) \cup Permutations(Clients)

(* Fingerprint states without the trace-only variable step. *)
View == view
=============================================================================
