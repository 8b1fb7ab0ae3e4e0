--------------------------- MODULE MCReplicaChains ---------------------------
(***************************************************************************)
(* Bounds and checker-only definitions for ReplicaChains.  The models are  *)
(* the MCReplicaChains_*.cfg files next to this module; spec/manifest.json  *)
(* lists each with its expected verdict and state counts.                  *)
(***************************************************************************)
EXTENDS ReplicaChains, TLC

(* Snapshot names are interchangeable (replica names are not: Running     *)
(* tells them apart).  Safety models only.                                 *)
Symmetry == Permutations(Snaps)

(* Fingerprint states without the trace-only variable step. *)
View == view
=============================================================================
