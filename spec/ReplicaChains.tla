---------------------------- MODULE ReplicaChains ----------------------------
(***************************************************************************)
(* Snapshot chains, rebuilds and starts of replicas, interleaved with the  *)
(* server's verify() rounds.  Companion of ReplicaLifecycle (create,       *)
(* delete, faults, late calls), which has no chains: here the replicas     *)
(* exist or are rebuilt, and what varies is the chain verify reads.        *)
(*                                                                         *)
(* The store (SPDK) per replica name n: its head lvol <n>, its rebuilding  *)
(* lvol <n>-rebuilding, and the snapshot lvols <n>-snap-<s> of the chain   *)
(* of whichever of the two holds the data (bdev_lvol_snapshot makes the    *)
(* lvol a clone of a new read-only snapshot; bdev_lvol_delete of a         *)
(* snapshot with one clone gives the clone its parent).  Each store call   *)
(* is one atomic step.  The environment loses head lvols (disk failure)    *)
(* and restarts the server (map lost, lvols kept) while no operation is    *)
(* in flight.                                                               *)
(*                                                                         *)
(* The operations, one client per name (the registry serialises the       *)
(* operations on one name; upstream's replica lock does the same), each    *)
(* as the steps the library (StampedRegistry) makes:                       *)
(*   SnapshotCreate: SnapMark, SnapCall, SnapPublish                       *)
(*   SnapshotDelete: SnapDelMark, SnapDelCall, SnapDelPublish              *)
(*   Start (of a STOPPED replica): StartMark, StartLook                    *)
(*   rebuild: RebuildBegin, RebuildLvol (the -rebuilding lvol), snapshots  *)
(*     taken on it, RebuildFinishMark, RebuildRename (it becomes the head),*)
(*     RebuildFinishPublish; or RebuildAbortMark, RebuildAbortDelete,      *)
(*     RebuildAbortRemove                                                  *)
(* and verify: VerifyStart (the stamp), VerifyList, VerifyApply per name,  *)
(* VerifyDone.                                                             *)
(*                                                                         *)
(* Variants (Variant):                                                      *)
(*   "V4"  the library: a name with an operation in flight, or changed     *)
(*         since the stamp, is not judged; only RUNNING and STOPPED        *)
(*         replicas are judged, ERROR only if the listing shows neither    *)
(*         head nor rebuilding lvol; only heads are adopted, with the      *)
(*         chain the listing shows; start never makes an lvol.             *)
(*   "V0"  upstream's replica Sync before its listing was taken under the  *)
(*         replica lock (longhorn-spdk-engine f1584880): the listing is    *)
(*         read outside the lock and validateAndUpdate marks the replica   *)
(*         ERROR when its chain differs from the one listed, or its head   *)
(*         is missing (replica.go:810-933).  Upstream's V1..V3 changed     *)
(*         create, publish and the server map's install, which this module *)
(*         does not vary: for chains they behave as V0 (not modelled       *)
(*         apart).  V0's start is upstream's Create on a stopped replica: *)
(*         a missing head is made (prepareHead, replica.go:1194-1226).     *)
(* Mutants of V4 (Mutant), one guard each:                                  *)
(*   "SyncChainUnstamped"  verify re-derives a replica's chain from its    *)
(*                         listing, as upstream's construct() does,        *)
(*                         without the per-name stamp check                *)
(*   "JudgeRebuilding"     verify judges a REBUILDING replica by its head  *)
(*   "AdoptRebuilding"     verify adopts a name whose -rebuilding lvol is   *)
(*                         listed as if it were its head                   *)
(*   "StartCreates"        start makes a head when there is none, as      *)
(*                         upstream's Create on a stopped replica does     *)
(*                         (prepareHead, replica.go:1194-1226)             *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    Names,          \* replica names (model values)
    Running,        \* the names with a RUNNING replica (head, empty chain) at the start; the others are free for rebuilds
    Snaps,          \* snapshot names (model values)
    None,           \* a model value: no replica
    Variant,        \* "V0" or "V4"
    Mutant,         \* "none" or one of the V4 mutants above
    MaxLosses,      \* how many head lvols the environment may lose
    MaxRestarts,    \* how many server restarts
    MaxOps          \* how many client operations in one behaviour (bounds the behaviours)

ASSUME Running \subseteq Names
ASSUME Variant \in {"V0", "V4"}
ASSUME Mutant \in {"none", "SyncChainUnstamped", "JudgeRebuilding", "AdoptRebuilding", "StartCreates"}
ASSUME Mutant /= "none" => Variant = "V4"
ASSUME MaxLosses \in Nat /\ MaxRestarts \in Nat /\ MaxOps \in Nat

States == {"running", "stopped", "rebuilding", "error", "deleting"}
Entry == [st: States, chain: Seq(Snaps), busy: BOOLEAN]
Ops == {"idle", "snap", "snapdel", "start", "rebuild", "finish", "abort"}

VARIABLES
    head,       \* [Names -> BOOLEAN]: the head lvol <n> exists
    rl,         \* [Names -> BOOLEAN]: the lvol <n>-rebuilding exists
    sc,         \* [Names -> Seq(Snaps)]: the store's chain of n's data lvol, oldest first (its snapshot lvols)
    map,        \* [Names -> Entry \cup {None}]: the registry
    changed,    \* SUBSET Names: names changed since the running round's stamp (the library's per-name versions, abstracted)
    cl,         \* [Names -> [op: Ops, pc: STRING, s: Snaps \cup {None}]]: the client of each name
    vf,         \* verify: [pc, seenHead, seenRl, seenSc, todo]
    acked,      \* ghost [Names -> SUBSET Snaps]: snapshots acknowledged to clients and not since deleted by one
    harmed,     \* ghost SUBSET Names: names verify marked ERROR while their data lvol existed
    lost,       \* ghost SUBSET Names: names whose head the environment lost
    twins,      \* ghost SUBSET Names: names whose head a start made
    left,       \* budgets left: [loss, restart, ops]
    step        \* trace only: the last step [action, proc, name, outcome]

vars == <<head, rl, sc, map, changed, cl, vf, acked, harmed, lost, twins, left, step>>
(* Fingerprint states without the trace-only variable step. *)
view == <<head, rl, sc, map, changed, cl, vf, acked, harmed, lost, twins, left>>

Step(a, p, n, o) == step' = [action |-> a, proc |-> p, name |-> n, outcome |-> o]

(* n changes: a round that has taken its stamp will not judge it. *)
Touch(n) == changed' = IF vf.pc = "idle" THEN changed ELSE changed \cup {n}

Idle == [op |-> "idle", pc |-> "idle", s |-> None]
Range(q) == {q[i] : i \in DOMAIN q}
Remove(q, x) == SelectSeq(q, LAMBDA y : y /= x)
M4(g) == Variant = "V4" /\ Mutant = g


-----------------------------------------------------------------------------
(* SnapshotCreate(n, s): of a RUNNING replica's head, or a REBUILDING one's *)
(* rebuilding lvol (a rebuild copies snapshots onto it).                    *)

SnapMark(n, s) ==
    /\ left.ops > 0 /\ left' = [left EXCEPT !.ops = @ - 1]
    /\ cl[n].op = "idle" /\ map[n] /= None /\ ~map[n].busy
    /\ map[n].st \in {"running", "rebuilding"} /\ s \notin Range(map[n].chain)
    /\ map' = [map EXCEPT ![n].busy = TRUE]
    /\ cl' = [cl EXCEPT ![n] = [op |-> "snap", pc |-> "call", s |-> s]]
    /\ Step("SnapMark", n, n, s)
    /\ UNCHANGED <<head, rl, sc, changed, vf, acked, harmed, lost, twins>>

(* bdev_lvol_snapshot of the data lvol; refused if it is gone *)
SnapCall(n) ==
    /\ cl[n].op = "snap" /\ cl[n].pc = "call"
    /\ LET s == cl[n].s
           data == IF map[n].st = "rebuilding" THEN rl[n] ELSE head[n] IN
       IF data /\ s \notin Range(sc[n])
       THEN /\ sc' = [sc EXCEPT ![n] = Append(@, s)]
            /\ cl' = [cl EXCEPT ![n].pc = "publish"]
            /\ Step("SnapCall", n, n, "ok")
       ELSE /\ cl' = [cl EXCEPT ![n].pc = "refused"]
            /\ UNCHANGED sc
            /\ Step("SnapCall", n, n, "notfound")
    /\ UNCHANGED <<head, rl, map, changed, vf, acked, harmed, lost, twins, left>>

(* the chain grows, the client gets its answer; a refused call changes nothing *)
SnapPublish(n) ==
    /\ cl[n].op = "snap" /\ cl[n].pc \in {"publish", "refused"}
    /\ IF cl[n].pc = "publish"
       THEN /\ map' = [map EXCEPT ![n] = [@ EXCEPT !.chain = Append(@, cl[n].s), !.busy = FALSE]]
            /\ Touch(n)
            /\ acked' = [acked EXCEPT ![n] = @ \cup {cl[n].s}]
            /\ Step("SnapPublish", n, n, "ok")
       ELSE /\ map' = [map EXCEPT ![n].busy = FALSE]
            /\ UNCHANGED <<changed, acked>>
            /\ Step("SnapPublish", n, n, "failed")
    /\ cl' = [cl EXCEPT ![n] = Idle]
    /\ UNCHANGED <<head, rl, sc, vf, harmed, lost, twins, left>>

-----------------------------------------------------------------------------
(* SnapshotDelete(n, s).  The client gives the snapshot up when it asks.   *)

SnapDelMark(n, s) ==
    /\ left.ops > 0 /\ left' = [left EXCEPT !.ops = @ - 1]
    /\ cl[n].op = "idle" /\ map[n] /= None /\ ~map[n].busy
    /\ map[n].st \in {"running", "stopped", "rebuilding"} /\ s \in Range(map[n].chain)
    /\ map' = [map EXCEPT ![n].busy = TRUE]
    /\ cl' = [cl EXCEPT ![n] = [op |-> "snapdel", pc |-> "call", s |-> s]]
    /\ acked' = [acked EXCEPT ![n] = @ \ {s}]
    /\ Step("SnapDelMark", n, n, s)
    /\ UNCHANGED <<head, rl, sc, changed, vf, harmed, lost, twins>>

(* bdev_lvol_delete of the snapshot lvol: its clone inherits; "not found" is done *)
SnapDelCall(n) ==
    /\ cl[n].op = "snapdel" /\ cl[n].pc = "call"
    /\ sc' = [sc EXCEPT ![n] = Remove(@, cl[n].s)]
    /\ cl' = [cl EXCEPT ![n].pc = "publish"]
    /\ Step("SnapDelCall", n, n, IF cl[n].s \in Range(sc[n]) THEN "ok" ELSE "notfound")
    /\ UNCHANGED <<head, rl, map, changed, vf, acked, harmed, lost, twins, left>>

SnapDelPublish(n) ==
    /\ cl[n].op = "snapdel" /\ cl[n].pc = "publish"
    /\ map' = [map EXCEPT ![n] = [@ EXCEPT !.chain = Remove(@, cl[n].s), !.busy = FALSE]]
    /\ Touch(n)
    /\ cl' = [cl EXCEPT ![n] = Idle]
    /\ Step("SnapDelPublish", n, n, "ok")
    /\ UNCHANGED <<head, rl, sc, vf, acked, harmed, lost, twins, left>>

-----------------------------------------------------------------------------
(* Start of a STOPPED replica: look the head up; with it, RUNNING with the *)
(* store's chain; without it, nothing changes (V4) or a head is made       *)
(* (StartCreates, upstream's prepareHead).                                 *)

StartMark(n) ==
    /\ left.ops > 0 /\ left' = [left EXCEPT !.ops = @ - 1]
    /\ cl[n].op = "idle" /\ map[n] /= None /\ ~map[n].busy /\ map[n].st = "stopped"
    /\ map' = [map EXCEPT ![n].busy = TRUE]
    /\ cl' = [cl EXCEPT ![n] = [op |-> "start", pc |-> "look", s |-> None]]
    /\ Step("StartMark", n, n, "ok")
    /\ UNCHANGED <<head, rl, sc, changed, vf, acked, harmed, lost, twins>>

StartLook(n) ==
    /\ cl[n].op = "start"
    /\ IF head[n] \/ Variant = "V0" \/ M4("StartCreates")
       THEN /\ map' = [map EXCEPT ![n] = [st |-> "running", chain |-> sc[n], busy |-> FALSE]]
            /\ Touch(n)
            /\ head' = [head EXCEPT ![n] = TRUE]
            /\ twins' = IF head[n] THEN twins ELSE twins \cup {n}
            /\ Step("StartLook", n, n, IF head[n] THEN "running" ELSE "created")
       ELSE /\ map' = [map EXCEPT ![n].busy = FALSE]
            /\ UNCHANGED <<changed, head, twins>>
            /\ Step("StartLook", n, n, "nohead")
    /\ cl' = [cl EXCEPT ![n] = Idle]
    /\ UNCHANGED <<rl, sc, vf, acked, harmed, lost, left>>

-----------------------------------------------------------------------------
(* A rebuild of a new replica into a free name.                            *)

RebuildBegin(n) ==
    /\ left.ops > 0 /\ left' = [left EXCEPT !.ops = @ - 1]
    /\ cl[n].op = "idle" /\ map[n] = None /\ ~head[n] /\ ~rl[n] /\ sc[n] = <<>>
    /\ map' = [map EXCEPT ![n] = [st |-> "rebuilding", chain |-> <<>>, busy |-> TRUE]]
    /\ Touch(n)
    /\ cl' = [cl EXCEPT ![n] = [op |-> "rebuild", pc |-> "lvol", s |-> None]]
    /\ Step("RebuildBegin", n, n, "ok")
    /\ UNCHANGED <<head, rl, sc, vf, acked, harmed, lost, twins>>

(* bdev_lvol_create of <n>-rebuilding; the replica is REBUILDING, not busy *)
RebuildLvol(n) ==
    /\ cl[n].op = "rebuild"
    /\ rl' = [rl EXCEPT ![n] = TRUE]
    /\ map' = [map EXCEPT ![n] = [@ EXCEPT !.busy = FALSE]]
    /\ Touch(n)
    /\ cl' = [cl EXCEPT ![n] = Idle]
    /\ Step("RebuildLvol", n, n, "ok")
    /\ UNCHANGED <<head, sc, vf, acked, harmed, lost, twins, left>>

RebuildFinishMark(n) ==
    /\ left.ops > 0 /\ left' = [left EXCEPT !.ops = @ - 1]
    /\ cl[n].op = "idle" /\ map[n] /= None /\ ~map[n].busy /\ map[n].st = "rebuilding"
    /\ map' = [map EXCEPT ![n].busy = TRUE]
    /\ cl' = [cl EXCEPT ![n] = [op |-> "finish", pc |-> "rename", s |-> None]]
    /\ Step("RebuildFinishMark", n, n, "ok")
    /\ UNCHANGED <<head, rl, sc, changed, vf, acked, harmed, lost, twins>>

(* bdev_lvol_rename <n>-rebuilding -> <n>: one step; the chain goes with it *)
RebuildRename(n) ==
    /\ cl[n].op = "finish" /\ cl[n].pc = "rename"
    /\ rl[n] /\ ~head[n]
    /\ rl' = [rl EXCEPT ![n] = FALSE]
    /\ head' = [head EXCEPT ![n] = TRUE]
    /\ cl' = [cl EXCEPT ![n].pc = "publish"]
    /\ Step("RebuildRename", n, n, "ok")
    /\ UNCHANGED <<sc, map, changed, vf, acked, harmed, lost, twins, left>>

RebuildFinishPublish(n) ==
    /\ cl[n].op = "finish" /\ cl[n].pc = "publish"
    /\ map' = [map EXCEPT ![n] = [@ EXCEPT !.st = "running", !.busy = FALSE]]
    /\ Touch(n)
    /\ cl' = [cl EXCEPT ![n] = Idle]
    /\ Step("RebuildFinishPublish", n, n, "running")
    /\ UNCHANGED <<head, rl, sc, vf, acked, harmed, lost, twins, left>>

(* abortRebuild: the delete of a REBUILDING replica *)
RebuildAbortMark(n) ==
    /\ left.ops > 0 /\ left' = [left EXCEPT !.ops = @ - 1]
    /\ cl[n].op = "idle" /\ map[n] /= None /\ ~map[n].busy /\ map[n].st = "rebuilding"
    /\ map' = [map EXCEPT ![n] = [@ EXCEPT !.st = "deleting", !.busy = TRUE]]
    /\ cl' = [cl EXCEPT ![n] = [op |-> "abort", pc |-> "delete", s |-> None]]
    /\ acked' = [acked EXCEPT ![n] = {}]
    /\ Step("RebuildAbortMark", n, n, "ok")
    /\ UNCHANGED <<head, rl, sc, changed, vf, harmed, lost, twins>>

(* bdev_lvol_delete of <n>-rebuilding, then of the chain's snapshots *)
RebuildAbortDelete(n) ==
    /\ cl[n].op = "abort" /\ cl[n].pc = "delete"
    /\ rl' = [rl EXCEPT ![n] = FALSE]
    /\ sc' = [sc EXCEPT ![n] = <<>>]
    /\ cl' = [cl EXCEPT ![n].pc = "remove"]
    /\ Step("RebuildAbortDelete", n, n, "ok")
    /\ UNCHANGED <<head, map, changed, vf, acked, harmed, lost, twins, left>>

RebuildAbortRemove(n) ==
    /\ cl[n].op = "abort" /\ cl[n].pc = "remove"
    /\ map' = [map EXCEPT ![n] = None]
    /\ Touch(n)
    /\ cl' = [cl EXCEPT ![n] = Idle]
    /\ Step("RebuildAbortRemove", n, n, "removed")
    /\ UNCHANGED <<head, rl, sc, vf, acked, harmed, lost, twins, left>>

-----------------------------------------------------------------------------
(* verify                                                                  *)

VerifyStart ==
    /\ vf.pc = "idle"
    /\ vf' = [vf EXCEPT !.pc = "started"]
    /\ Step("VerifyStart", "verify", None, "ok")
    /\ UNCHANGED <<head, rl, sc, map, changed, cl, acked, harmed, lost, twins, left>>

(* one listing: heads, rebuilding lvols and chains, as one atomic snapshot *)
VerifyList ==
    /\ vf.pc = "started"
    /\ vf' = [vf EXCEPT !.pc = "listed", !.seenHead = head, !.seenRl = rl, !.seenSc = sc, !.todo = Names]
    /\ Step("VerifyList", "verify", None, "ok")
    /\ UNCHANGED <<head, rl, sc, map, changed, cl, acked, harmed, lost, twins, left>>

(* The decision about one name, from the listing. *)
Decide(n) ==
    LET e == map[n]
        missing == ~vf.seenHead[n] /\ ~vf.seenRl[n]
        settled == e /= None /\ (Variant = "V0" \/ (~e.busy /\ n \notin changed))
        judged == IF M4("JudgeRebuilding") THEN {"running", "stopped", "rebuilding"} ELSE {"running", "stopped"}
    IN
    CASE e = None /\ (vf.seenHead[n] \/ (M4("AdoptRebuilding") /\ vf.seenRl[n]))
              -> [out |-> "adopt", e |-> [st |-> "stopped", chain |-> vf.seenSc[n], busy |-> FALSE]]
      [] settled /\ Variant = "V4" /\ e.st \in judged
              /\ (missing \/ (M4("JudgeRebuilding") /\ e.st = "rebuilding" /\ ~vf.seenHead[n]))
              -> [out |-> "error", e |-> [e EXCEPT !.st = "error"]]
      [] e /= None /\ M4("SyncChainUnstamped") /\ e.st \in {"running", "stopped"} /\ vf.seenHead[n]
              /\ e.chain /= vf.seenSc[n]
              -> [out |-> "sync", e |-> [e EXCEPT !.chain = vf.seenSc[n]]]
      [] settled /\ Variant = "V0" /\ e.st \in {"running", "stopped"}
              /\ (~vf.seenHead[n] \/ e.chain /= vf.seenSc[n])
              -> [out |-> "error", e |-> [e EXCEPT !.st = "error"]]
      [] OTHER -> [out |-> IF e /= None /\ ~settled THEN "skip" ELSE "keep", e |-> e]

VerifyApply(n) ==
    /\ vf.pc = "listed" /\ n \in vf.todo
    /\ LET d == Decide(n) IN
       /\ map' = [map EXCEPT ![n] = d.e]
       /\ harmed' = IF d.out = "error" /\ (head[n] \/ rl[n]) THEN harmed \cup {n} ELSE harmed
       /\ Step("VerifyApply", "verify", n, d.out)
    /\ vf' = [vf EXCEPT !.todo = @ \ {n}]
    /\ UNCHANGED <<head, rl, sc, changed, cl, acked, lost, twins, left>>

VerifyDone ==
    /\ vf.pc = "listed" /\ vf.todo = {}
    /\ vf' = [vf EXCEPT !.pc = "idle"]
    /\ changed' = {}
    /\ Step("VerifyDone", "verify", None, "ok")
    /\ UNCHANGED <<head, rl, sc, map, cl, acked, harmed, lost, twins, left>>

-----------------------------------------------------------------------------
(* The environment.                                                        *)

LoseHead(n) ==
    /\ left.loss > 0 /\ head[n]
    /\ head' = [head EXCEPT ![n] = FALSE]
    /\ lost' = lost \cup {n}
    /\ left' = [left EXCEPT !.loss = @ - 1]
    /\ Step("LoseHead", "env", n, "ok")
    /\ UNCHANGED <<rl, sc, map, changed, cl, vf, acked, harmed, twins>>

(* The server restarts while no operation and no round is in flight: the  *)
(* map is lost, the lvols stay; a later round adopts the heads.            *)
Restart ==
    /\ left.restart > 0
    /\ \A n \in Names : cl[n].op = "idle"
    /\ vf.pc = "idle"
    /\ map' = [n \in Names |-> None]
    /\ left' = [left EXCEPT !.restart = @ - 1]
    /\ Step("Restart", "env", None, "ok")
    /\ UNCHANGED <<head, rl, sc, changed, cl, vf, acked, harmed, lost, twins>>

-----------------------------------------------------------------------------

Init ==
    /\ head = [n \in Names |-> n \in Running]
    /\ rl = [n \in Names |-> FALSE]
    /\ sc = [n \in Names |-> <<>>]
    /\ map = [n \in Names |-> IF n \in Running
                               THEN [st |-> "running", chain |-> <<>>, busy |-> FALSE]
                               ELSE None]
    /\ changed = {}
    /\ cl = [n \in Names |-> Idle]
    /\ vf = [pc |-> "idle", seenHead |-> [n \in Names |-> FALSE],
             seenRl |-> [n \in Names |-> FALSE], seenSc |-> [n \in Names |-> <<>>], todo |-> {}]
    /\ acked = [n \in Names |-> {}]
    /\ harmed = {}
    /\ lost = {}
    /\ twins = {}
    /\ left = [loss |-> MaxLosses, restart |-> MaxRestarts, ops |-> MaxOps]
    /\ step = [action |-> "Init", proc |-> None, name |-> None, outcome |-> "ok"]

Next ==
    \/ \E n \in Names :
         \/ \E s \in Snaps : SnapMark(n, s) \/ SnapDelMark(n, s)
         \/ SnapCall(n) \/ SnapPublish(n) \/ SnapDelCall(n) \/ SnapDelPublish(n)
         \/ StartMark(n) \/ StartLook(n)
         \/ RebuildBegin(n) \/ RebuildLvol(n) \/ RebuildFinishMark(n) \/ RebuildRename(n)
         \/ RebuildFinishPublish(n) \/ RebuildAbortMark(n) \/ RebuildAbortDelete(n)
         \/ RebuildAbortRemove(n)
         \/ VerifyApply(n) \/ LoseHead(n)
    \/ VerifyStart \/ VerifyList \/ VerifyDone \/ Restart

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Properties.                                                             *)

TypeOK ==
    /\ head \in [Names -> BOOLEAN] /\ rl \in [Names -> BOOLEAN]
    /\ \A n \in Names : sc[n] \in Seq(Snaps) /\ Len(sc[n]) = Cardinality(Range(sc[n]))
    /\ \A n \in Names : map[n] = None \/ map[n] \in Entry
    /\ changed \subseteq Names
    /\ \A n \in Names : cl[n].op \in Ops
    /\ acked \in [Names -> SUBSET Snaps]
    /\ harmed \subseteq Names /\ lost \subseteq Names /\ twins \subseteq Names

(* A snapshot the registry acknowledged is never lost from the store nor   *)
(* dropped from the replica's chain by verify, until a client deletes it.  *)
AckedSnapshotKept ==
    \A n \in Names : \A s \in acked[n] :
        /\ s \in Range(sc[n])
        /\ (map[n] /= None /\ map[n].st /= "deleting") => s \in Range(map[n].chain)

(* Verify never marks ERROR a replica whose head or rebuilding lvol exists: *)
(* an ERROR may come only from a listing without both, never from a        *)
(* snapshot or rebuild step in flight while it listed.                     *)
NoErrorFromChainOps == harmed = {}

(* Verify adopts only heads: an adopted (STOPPED) replica has its head,     *)
(* unless the environment lost it; never a snapshot or a -rebuilding lvol. *)
OnlyHeadsAdopted ==
    \A n \in Names : (map[n] /= None /\ map[n].st = "stopped") => (head[n] \/ n \in lost)

(* Starting a stopped replica never makes an lvol: no twin of a lost head. *)
StartNoTwin == twins = {}
=============================================================================
