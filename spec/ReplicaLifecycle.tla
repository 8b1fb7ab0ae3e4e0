-------------------------- MODULE ReplicaLifecycle --------------------------
(***************************************************************************)
(* The replica map of an SPDK engine server (Longhorn's SPDK data engine), *)
(* the logical volumes (lvols) behind it, and the periodic verify() that   *)
(* reconciles the two.                                                      *)
(*                                                                         *)
(* The server keeps a map name -> replica object.  Clients call create and *)
(* delete; a single verify process lists the lvols and prunes or adopts    *)
(* map entries.  Each store (SPDK JSON-RPC) call is one atomic step.       *)
(* Faults: store calls fail or time out, lvols are lost, the server        *)
(* restarts (map and work in flight lost, lvols kept).  The engine polls   *)
(* the replicas it uses and marks a replica ERR on one NotFound; a rebuild *)
(* lets a new replica join in WO and become RW.                            *)
(*                                                                         *)
(* One constant, Variant, selects the behaviour:                           *)
(*   V0 PreFix             insert a pending entry, then create the lvol;   *)
(*                         verify holds the server lock S for its round.   *)
(*   V1 PublishAfterCreate insert (publish) after the create, on every     *)
(*                         path; verify as V0.                             *)
(*   V2 UnlockedVerify     V1, and verify drops S around its store calls,  *)
(*                         then installs the map it computed.              *)
(*   V3 GenerationSkip     V2, and verify skips its round when a counter,  *)
(*                         bumped by every create and delete, moved.       *)
(*   V4 Stamped            our design: reserve the name, per-name          *)
(*                         serialisation, rollback on failure, delete      *)
(*                         marks then removes, verify applies each         *)
(*                         decision only if that name did not change since *)
(*                         the round's stamp (a per-name compare-and-set). *)
(*                                                                         *)
(* Mutant removes one V4 guard on purpose, to show that each property can  *)
(* fail (see Mutants below).  Bounds, symmetry and the models are in       *)
(* MCReplicaLifecycle.tla and its .cfg files.                              *)
(*                                                                         *)
(* Abstraction: V4's round stamp and per-name versions are kept as one     *)
(* flag per name, changed[n] == "version(n) > stamp"; V3's counter as all  *)
(* flags set at once.  Only one verify round runs at a time (both in the   *)
(* real code and here), so the flags say exactly what the counters say,    *)
(* with a finite state space.                                              *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS
    Names,          \* replica names (model values); each also names its head lvol
    Clients,        \* client threads that call create and delete (model values)
    None,           \* model value: no entry, no object, no name
    Variant,        \* "V0" | "V1" | "V2" | "V3" | "V4": the behaviour under check
    Mutant,         \* "none", or the V4 guard removed on purpose (see Mutants)
    EngineOn,       \* TRUE: model the engine's view (modes RW/WO/ERR, polling)
    RebuildOn,      \* TRUE: replicas created while rebuilds are left join in WO and are rebuilt
    MaxStoreFaults, \* how many store calls may fail or time out in one behaviour
    MaxLosses,      \* how many lvols may be lost (disk failure) in one behaviour
    MaxRestarts,    \* how many server restarts may happen in one behaviour
    MaxRebuilds     \* how many rebuilds may start in one behaviour

Variants == {"V0", "V1", "V2", "V3", "V4"}

(***************************************************************************)
(* Mutants, each the V4 design with one guard removed:                     *)
(*   NoReserve     create does not reserve the name (publishes at the end) *)
(*   NoNameLock    delete does not wait for a create of the same name      *)
(*   JudgeInFlight verify judges entries whose create/delete is in flight  *)
(*   NoCas         verify applies decisions even if the name changed       *)
(*   GlobalSkip    verify skips the whole round if any name changed (V3's  *)
(*                 counter instead of the per-name compare-and-set)        *)
(*   NoopAbsentDelete  delete of a name with no entry returns at once, as  *)
(*                 DESIGN's V4 first said (wrong after a restart)          *)
(*   NoPrecheck    create does not look the name up before making the lvol *)
(*                 (its rollback may then delete an orphan it did not make)*)
(***************************************************************************)
Mutants == {"none", "NoReserve", "NoNameLock", "JudgeInFlight", "NoCas", "GlobalSkip",
            "NoopAbsentDelete", "NoPrecheck"}

ASSUME Variant \in Variants
ASSUME Mutant \in Mutants /\ (Mutant /= "none" => Variant = "V4")
ASSUME EngineOn \in BOOLEAN /\ RebuildOn \in BOOLEAN /\ (RebuildOn => EngineOn)
ASSUME \A k \in {MaxStoreFaults, MaxLosses, MaxRestarts, MaxRebuilds} : k \in Nat
ASSUME None \notin Names \cup Clients

(* A replica object is named by who built it: a client, or verify (adoption). *)
Adopted == "adopted"
Objs == Clients \cup {Adopted}

(* States of a replica object.  pending: V0's entry inserted before the     *)
(* lvol exists; creating/deleting: V4's reservation while an operation is   *)
(* in flight; reserved: V4's reservation of a name with no entry by a       *)
(* delete (not visible to ReplicaGet); stopped: adopted by verify; error:   *)
(* sticky until delete.                                                     *)
EntryStates == {"pending", "creating", "running", "stopped", "error", "deleting", "reserved"}
Entries == [obj : Objs, st : EntryStates]
EngineModes == {"none", "RW", "WO", "ERR"}

VARIABLES
    map,        \* [Names -> Entries \cup {None}]: the server's replica map
    lvols,      \* SUBSET Names: head lvols present in the store
    rlvols,     \* SUBSET Names: "<name>-rebuilding" lvols present in the store
    exposed,    \* SUBSET (Names \X Objs): objects holding ports and an NVMe-oF subsystem
    cl,         \* [Clients -> ...]: each client's operation in flight (see ClientStates)
    vf,         \* the verify process: phase, what it copied and listed, names left to apply
    changed,    \* [Names -> BOOLEAN]: V4 "name changed since the stamp"; V3 all set on any change
    eng,        \* [Names -> EngineModes]: the engine's mode for each replica
    left,       \* fault budgets still unspent: [store, loss, restart, rebuild]
    created,    \* history: names whose create returned running while Intact; no delete, loss or restart since
    deleted,    \* history: names whose delete returned success; no create or delete of the name since
    harmed,     \* history: names whose lvol was lost or whose delete started, since the engine added them
    unjust,     \* history: names the engine marked ERR while not in harmed (should stay empty)
    foreign,    \* history: names whose lvol a create's rollback deleted though that create did not make it
    step        \* the last step: [action, proc, name, outcome], for traces (not in the VIEW)

vars == <<map, lvols, rlvols, exposed, cl, vf, changed, eng, left, created, deleted, harmed, unjust, foreign, step>>
view == <<map, lvols, rlvols, exposed, cl, vf, changed, eng, left, created, deleted, harmed, unjust, foreign>>

-----------------------------------------------------------------------------
(* Client and verify process states. *)

ClientPcs == {"idle", "lvol", "expose", "publish", "rollback", "abort", "remove"}
(* res: outcome of the client's last store call, read by its next step.     *)
(*   ok | fail (nothing applied) | exists (EEXIST) | unknown (timeout) |   *)
(*   undone (rollback deleted the lvol) | leftover (rollback failed)        *)
Results == {"none", "ok", "fail", "exists", "unknown", "undone", "leftover"}
(* made: this create's CreateLvol put the lvol in the store (known to the   *)
(* spec, not to the implementation after a timeout).                        *)
ClientStates == [op : {"idle", "create", "delete"}, name : Names \cup {None},
                 pc : ClientPcs, obj : Objs \cup {None}, res : Results, made : BOOLEAN]
IdleClient == [op |-> "idle", name |-> None, pc |-> "idle", obj |-> None, res |-> "none",
               made |-> FALSE]

NoMap == [n \in Names |-> None]
VerifyStates == [pc : {"idle", "list", "apply"}, copy : [Names -> Entries \cup {None}],
                 seen : SUBSET Names, rseen : SUBSET Names, todo : SUBSET Names]
IdleVerify == [pc |-> "idle", copy |-> NoMap, seen |-> {}, rseen |-> {}, todo |-> {}]

Steps == [action : STRING, proc : Clients \cup {None, "verify", "engine", "env"},
          name : Names \cup {None}, outcome : STRING]
Step(a, p, n, o) == step' = [action |-> a, proc |-> p, name |-> n, outcome |-> o]

-----------------------------------------------------------------------------
(* What each variant does. *)

V4Guard(g) == Variant = "V4" /\ Mutant /= g
(* verify holds the server lock S for its whole round (V0, V1) *)
LockedVerify == Variant \in {"V0", "V1"}
(* S is free for a client's map step: not held by a verify round *)
SFree == ~(LockedVerify /\ vf.pc /= "idle")
(* create puts an entry in the map before the lvol exists (V0 pending, V4 reserved) *)
InsertsFirst == Variant = "V0" \/ V4Guard("NoReserve")
(* every change to a name is counted: V3 by one counter, V4 per name *)
MarkChanged(n) ==
    changed' = CASE Variant = "V4" -> [changed EXCEPT ![n] = TRUE]
               []   Variant = "V3" -> [m \in Names |-> TRUE]
               []   OTHER          -> changed

EntryOf(n, o, s) == [obj |-> o, st |-> s]
Owns(n, o) == map[n] /= None /\ map[n].obj = o
HasState(n, S) == map[n] /= None /\ map[n].st \in S
Live(n) == {o \in Objs : (Owns(n, o) /\ map[n].st /= "reserved") \/ <<n, o>> \in exposed}
(* what ReplicaGet finds: an entry, but not a delete's reservation of an absent name *)
Found(n) == map[n] /= None /\ map[n].st /= "reserved"
CreateInFlight(c) == cl[c].op = "create" /\ cl[c].pc /= "idle"
(* a replica object is locked (its lock R) by the create building it *)
RLocked(n, o) == \E c \in Clients : CreateInFlight(c) /\ cl[c].name = n /\ cl[c].obj = o

(* the mode a replica joins the engine with when its create returns running *)
JoinMode == IF RebuildOn /\ left.rebuild > 0 THEN "WO" ELSE "RW"
DeleteInFlight(n) == \E c \in Clients : cl[c].op = "delete" /\ cl[c].name = n
(* the name's head lvol exists and no delete of the name is under way *)
Intact(n) == n \in lvols /\ ~DeleteInFlight(n)

(* The engine adds the replica; an earlier loss or delete of the name no    *)
(* longer counts, unless the lvol is missing right now or a delete of the   *)
(* name is still in flight.                                                 *)
EngineAdds(n) ==
    /\ eng' = IF EngineOn THEN [eng EXCEPT ![n] = JoinMode] ELSE eng
    /\ harmed' = IF Intact(n) THEN harmed \ {n} ELSE harmed

Return(c) == cl' = [cl EXCEPT ![c] = IdleClient]
Goto(c, pc, res) == cl' = [cl EXCEPT ![c].pc = pc, ![c].res = res]

-----------------------------------------------------------------------------
(***************************************************************************)
(* Create(n) by client c: CreateReserve -> CreateLvol -> CreateExpose ->  *)
(* CreatePublish; on a failed store call, V4 goes CreateRollback ->        *)
(* CreateAbort instead.                                                    *)
(***************************************************************************)

(* V0: insert a pending entry.  V1..V3: look the name up, build an          *)
(* unpublished object.  V4: wait for a delete of the name in flight, then   *)
(* reserve the name (entry "creating").  Under S for V0..V3.  A taken name  *)
(* fails the create at once (AlreadyExists).                                *)
CreateReserve(c, n) ==
    /\ cl[c].op = "idle"
    /\ SFree
    /\ V4Guard("NoNameLock") => ~HasState(n, {"deleting", "reserved"})
    /\ deleted' = deleted \ {n}
    /\ IF map[n] /= None
         THEN /\ Step("CreateReserve", c, n, "exists")
              /\ UNCHANGED <<map, cl, changed>>
         ELSE /\ Step("CreateReserve", c, n, "ok")
              /\ cl' = [cl EXCEPT ![c] = [op |-> "create", name |-> n, pc |-> "lvol",
                                          obj |-> c, res |-> "none", made |-> FALSE]]
              /\ IF InsertsFirst
                   THEN /\ map' = [map EXCEPT ![n] =
                                      EntryOf(n, c, IF Variant = "V0" THEN "pending" ELSE "creating")]
                        /\ MarkChanged(n)
                   ELSE UNCHANGED <<map, changed>>
    /\ UNCHANGED <<lvols, rlvols, exposed, vf, eng, left, created, harmed, unjust, foreign>>

(* bdev_lvol_create.  V0..V3 reuse a head that exists (prepareHead).  V4   *)
(* first looks the name up (one more store call, merged into this step: no *)
(* other action can add lvol n in between, since only the create holding   *)
(* the reservation makes it) and an existing lvol, an orphan no entry owns *)
(* yet, fails the create with EEXIST; so its rollback can only ever delete *)
(* an lvol this create made.  With faults left, the call may fail (nothing *)
(* applied) or time out (applied or not, unknown to the caller).  V4 with  *)
(* an lvol there: only its look-up is made, and it can only fail (a        *)
(* look-up changes nothing, so even its timeout is a known failure); found *)
(* by trace validation of the Java registry (conformance/README.md).       *)
CreateLvolOk(c) ==
    LET n == cl[c].name IN
    IF n \in lvols /\ Variant = "V4"
      THEN /\ Goto(c, "abort", "exists") /\ Step("CreateLvol", c, n, "exists")
           /\ UNCHANGED <<lvols, left>>
      ELSE /\ lvols' = lvols \cup {n}
           /\ cl' = [cl EXCEPT ![c].pc = "expose", ![c].res = "ok", ![c].made = n \notin lvols]
           /\ Step("CreateLvol", c, n, "ok") /\ UNCHANGED left

CreateLvolFault(c) ==
    LET n == cl[c].name IN
    /\ left.store > 0
    /\ left' = [left EXCEPT !.store = @ - 1]
    /\ \E kind \in IF V4Guard("NoPrecheck") /\ n \in lvols THEN {"fail"}
                    ELSE {"fail", "timeout-applied", "timeout-lost"} :
         /\ lvols' = IF kind = "timeout-applied" THEN lvols \cup {n} ELSE lvols
         /\ Step("CreateLvol", c, n, kind)
         /\ cl' = [cl EXCEPT ![c].pc = CASE Variant /= "V4" -> "publish"
                                       []   kind = "fail"   -> "abort"
                                       []   OTHER           -> "rollback",
                             ![c].res = IF kind = "fail" THEN "fail" ELSE "unknown",
                             ![c].made = kind = "timeout-applied" /\ n \notin lvols]

CreateLvol(c) ==
    /\ cl[c].op = "create" /\ cl[c].pc = "lvol"
    /\ (CreateLvolOk(c) \/ CreateLvolFault(c))
    /\ UNCHANGED <<map, rlvols, exposed, vf, changed, eng, created, deleted, harmed, unjust, foreign>>

(* Allocate ports, expose the head over NVMe-oF. *)
CreateExpose(c) ==
    /\ cl[c].op = "create" /\ cl[c].pc = "expose"
    /\ exposed' = exposed \cup {<<cl[c].name, c>>}
    /\ Goto(c, "publish", cl[c].res)
    /\ Step("CreateExpose", c, cl[c].name, "ok")
    /\ UNCHANGED <<map, lvols, rlvols, vf, changed, eng, left, created, deleted, harmed, unjust, foreign>>

(* The create returns.  V0: the object (wherever it is) becomes running,   *)
(* or error; no S needed (R only).  V1..V3: put the object in the map      *)
(* under S, overwriting what is there (last publish wins), on every path.  *)
(* V4: the reservation becomes running.                                    *)
CreatePublish(c) ==
    LET n == cl[c].name
        ok == cl[c].res = "ok"
        st == IF ok THEN "running" ELSE "error"
    IN
    /\ cl[c].op = "create" /\ cl[c].pc = "publish"
    /\ Variant \in {"V1", "V2", "V3"} => SFree
    /\ map' = CASE Variant = "V0" -> IF Owns(n, c) THEN [map EXCEPT ![n].st = st] ELSE map
              []   OTHER        -> [map EXCEPT ![n] = EntryOf(n, c, st)]
    /\ IF Variant = "V0" THEN UNCHANGED changed ELSE MarkChanged(n)
    /\ IF ok THEN /\ created' = IF Intact(n) THEN created \cup {n} ELSE created
                  /\ EngineAdds(n)
             ELSE UNCHANGED <<created, eng, harmed>>
    /\ Return(c)
    /\ Step("CreatePublish", c, n, IF ok THEN "running" ELSE "error")
    /\ UNCHANGED <<lvols, rlvols, exposed, vf, deleted, left, unjust, foreign>>

(* V4, after a timeout: delete the lvol that may have been made. *)
CreateRollback(c) ==
    LET n == cl[c].name IN
    /\ cl[c].op = "create" /\ cl[c].pc = "rollback"
    /\ \/ /\ lvols' = lvols \ {n} /\ Goto(c, "abort", "undone")
          /\ Step("CreateRollback", c, n, IF n \in lvols THEN "ok" ELSE "notfound")
          /\ UNCHANGED left
       \/ /\ left.store > 0 /\ left' = [left EXCEPT !.store = @ - 1]
          /\ \E kind \in {"fail", "timeout-applied", "timeout-lost"} :
               /\ lvols' = IF kind = "timeout-applied" THEN lvols \ {n} ELSE lvols
               /\ Goto(c, "abort", "leftover")
               /\ Step("CreateRollback", c, n, kind)
    /\ foreign' = IF n \in lvols /\ n \notin lvols' /\ ~cl[c].made THEN foreign \cup {n} ELSE foreign
    /\ UNCHANGED <<map, rlvols, exposed, vf, changed, eng, created, deleted, harmed, unjust>>

(* V4: give the name back, or, when the lvol may still exist, leave the    *)
(* entry in error so that the name stays taken until a delete.             *)
CreateAbort(c) ==
    LET n == cl[c].name IN
    /\ cl[c].op = "create" /\ cl[c].pc = "abort"
    /\ map' = [map EXCEPT ![n] = IF cl[c].res = "leftover" THEN EntryOf(n, c, "error") ELSE None]
    /\ MarkChanged(n)
    /\ Return(c)
    /\ Step("CreateAbort", c, n, IF cl[c].res = "leftover" THEN "error" ELSE "removed")
    /\ UNCHANGED <<lvols, rlvols, exposed, vf, eng, left, created, deleted, harmed, unjust, foreign>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Delete(n) by client c: DeleteMark -> DeleteLvol -> DeleteRemove.        *)
(***************************************************************************)

(* V0..V3: look the name up under S; absent means success at once (V3      *)
(* still bumps its counter).  V4: an entry whose create or delete is in    *)
(* flight makes us wait (the per-name lock); otherwise mark it deleting.   *)
(* An absent name is reserved too (invisibly), and its lvol deleted: after *)
(* a restart the map is empty but the lvols are not (see spec/README.md).  *)
DeleteMark(c, n) ==
    /\ cl[c].op = "idle"
    /\ SFree
    /\ V4Guard("NoNameLock") => ~HasState(n, {"creating", "deleting", "reserved"})
    /\ harmed' = harmed \cup {n}
    /\ created' = created \ {n}
    /\ IF map[n] = None /\ ~V4Guard("NoopAbsentDelete")
         THEN /\ deleted' = deleted \cup {n}
              /\ IF Variant = "V3" THEN MarkChanged(n) ELSE UNCHANGED changed
              /\ Step("DeleteMark", c, n, "absent")
              /\ UNCHANGED <<map, cl>>
         ELSE /\ cl' = [cl EXCEPT ![c] = [op |-> "delete", name |-> n, pc |-> "lvol",
                                          obj |-> IF map[n] = None THEN c ELSE map[n].obj,
                                          res |-> "none", made |-> FALSE]]
              /\ IF Variant = "V4"
                   THEN /\ map' = [map EXCEPT ![n] = IF map[n] = None THEN EntryOf(n, c, "reserved")
                                                     ELSE [map[n] EXCEPT !.st = "deleting"]]
                        /\ MarkChanged(n)
                   ELSE UNCHANGED <<map, changed>>
              /\ Step("DeleteMark", c, n, IF map[n] = None THEN "absent" ELSE "found")
              /\ deleted' = deleted \ {n}
    /\ UNCHANGED <<lvols, rlvols, exposed, vf, eng, left, unjust, foreign>>

(* Under the object's lock R: stop the exposure, bdev_lvol_delete the head *)
(* (and a rebuilding lvol).  Not-found counts as done.                     *)
DeleteLvol(c) ==
    LET n == cl[c].name IN
    /\ cl[c].op = "delete" /\ cl[c].pc = "lvol"
    /\ Variant /= "V4" => ~RLocked(n, cl[c].obj)
    /\ exposed' = exposed \ {<<n, cl[c].obj>>}
    /\ \/ /\ lvols' = lvols \ {n} /\ rlvols' = rlvols \ {n}
          /\ Goto(c, "remove", "ok") /\ UNCHANGED left
          /\ Step("DeleteLvol", c, n, IF n \in lvols THEN "ok" ELSE "notfound")
       \/ /\ left.store > 0 /\ left' = [left EXCEPT !.store = @ - 1]
          /\ \E kind \in {"fail", "timeout-applied", "timeout-lost"} :
               /\ lvols' = IF kind = "timeout-applied" THEN lvols \ {n} ELSE lvols
               /\ rlvols' = IF kind = "timeout-applied" THEN rlvols \ {n} ELSE rlvols
               /\ Goto(c, "remove", "fail")
               /\ Step("DeleteLvol", c, n, kind)
    /\ created' = created \ {n}
    /\ UNCHANGED <<map, vf, changed, eng, deleted, harmed, unjust, foreign>>

(* Remove the entry (V0..V3 by name, under S), or, if the lvol delete      *)
(* failed, leave the object in error.  V4 keeps the name reserved until    *)
(* here.                                                                    *)
DeleteRemove(c) ==
    LET n == cl[c].name
        ok == cl[c].res = "ok"
    IN
    /\ cl[c].op = "delete" /\ cl[c].pc = "remove"
    /\ SFree
    /\ map' = IF ok THEN [map EXCEPT ![n] = None]
              ELSE IF Owns(n, cl[c].obj) THEN [map EXCEPT ![n].st = "error"] ELSE map
    /\ IF ok \/ Variant = "V4" THEN MarkChanged(n) ELSE UNCHANGED changed
    /\ deleted' = IF ok THEN deleted \cup {n} ELSE deleted
    /\ Return(c)
    /\ created' = created \ {n}
    /\ Step("DeleteRemove", c, n, IF ok THEN "removed" ELSE "error")
    /\ UNCHANGED <<lvols, rlvols, exposed, vf, eng, left, harmed, unjust, foreign>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Verify: VerifyStart -> VerifyList -> VerifyApply (V4: once per name).   *)
(***************************************************************************)

(* What upstream verify decides for one name from a map and a listing:     *)
(* keep an entry that has an lvol named n or n-* ; drop it otherwise; adopt *)
(* a head lvol that no entry owns, as a new stopped object.                *)
Decide(e, n, seen, rseen) ==
    IF e /= None THEN (IF n \in seen \/ n \in rseen THEN e ELSE None)
    ELSE IF n \in seen THEN EntryOf(n, Adopted, "stopped") ELSE None

(* V0, V1: take S and keep it to the end of the round.  V2, V3: copy the   *)
(* map under S (V3 also reads its counter).  V4: take a stamp.             *)
VerifyStart ==
    /\ vf.pc = "idle"
    /\ SFree
    /\ vf' = [IdleVerify EXCEPT !.pc = "list", !.copy = IF Variant \in {"V2", "V3"} THEN map ELSE NoMap]
    /\ changed' = [n \in Names |-> FALSE]
    /\ Step("VerifyStart", "verify", None, "ok")
    /\ UNCHANGED <<map, lvols, rlvols, exposed, cl, eng, left, created, deleted, harmed, unjust, foreign>>

(* bdev_get_bdevs: one atomic listing.  If it fails, the round ends.       *)
VerifyList ==
    /\ vf.pc = "list"
    /\ \/ /\ vf' = [vf EXCEPT !.pc = "apply", !.seen = lvols, !.rseen = rlvols, !.todo = Names]
          /\ Step("VerifyList", "verify", None, "ok") /\ UNCHANGED left
       \/ /\ left.store > 0 /\ left' = [left EXCEPT !.store = @ - 1]
          /\ vf' = IdleVerify
          /\ Step("VerifyList", "verify", None, "fail")
    /\ UNCHANGED <<map, lvols, rlvols, exposed, cl, changed, eng, created, deleted, harmed, unjust, foreign>>

(* V0..V3, one atomic step under S.  V0, V1 decide on the map they hold    *)
(* locked.  V2 installs what it computed from its copy (an object that is  *)
(* still the map's keeps its current state).  V3 does so only if its       *)
(* counter did not move, and otherwise skips the whole round.              *)
VerifyApplyRound ==
    /\ Variant /= "V4"
    /\ vf.pc = "apply"
    /\ IF Variant = "V3" /\ \E m \in Names : changed[m]
         THEN /\ UNCHANGED map
              /\ Step("VerifyApply", "verify", None, "skipped")
         ELSE /\ map' = [n \in Names |->
                           LET base == IF LockedVerify THEN map[n] ELSE vf.copy[n]
                               d == Decide(base, n, vf.seen, vf.rseen)
                           IN IF d /= None /\ map[n] /= None /\ d.obj = map[n].obj THEN map[n] ELSE d]
              /\ Step("VerifyApply", "verify", None, "installed")
    /\ vf' = IdleVerify
    /\ UNCHANGED <<lvols, rlvols, exposed, cl, changed, eng, left, created, deleted, harmed, unjust, foreign>>

(* V4, one name at a time, each a compare-and-set on that name: skip it if *)
(* it changed since the stamp or an operation on it is in flight; else an  *)
(* entry with neither head nor rebuilding lvol becomes error (it stays     *)
(* visible), and a head lvol with no entry is adopted as stopped.          *)
V4Decision(n) ==
    LET e == map[n] IN
    CASE Mutant = "GlobalSkip" /\ \E m \in Names : changed[m] -> "changed"
    []   changed[n] /\ Mutant /= "NoCas" -> "changed"
    []   e /= None /\ e.st \in {"creating", "deleting", "reserved"} /\ Mutant /= "JudgeInFlight" -> "inflight"
    []   e /= None /\ e.st \in {"running", "stopped", "creating", "deleting"}
           /\ n \notin vf.seen /\ n \notin vf.rseen -> "error"
    []   e = None /\ n \in vf.seen -> "adopt"
    []   OTHER -> "keep"

VerifyApplyName(n) ==
    /\ Variant = "V4"
    /\ vf.pc = "apply" /\ n \in vf.todo
    /\ LET d == V4Decision(n) IN
         /\ map' = CASE d = "error" -> [map EXCEPT ![n].st = "error"]
                   []   d = "adopt" -> [map EXCEPT ![n] = EntryOf(n, Adopted, "stopped")]
                   []   OTHER       -> map
         /\ Step("VerifyApply", "verify", n, d)
    /\ vf' = IF vf.todo = {n} THEN IdleVerify ELSE [vf EXCEPT !.todo = @ \ {n}]
    /\ UNCHANGED <<lvols, rlvols, exposed, cl, changed, eng, left, created, deleted, harmed, unjust, foreign>>

VerifyApply == VerifyApplyRound \/ \E n \in Names : VerifyApplyName(n)

-----------------------------------------------------------------------------
(***************************************************************************)
(* The engine, the rebuild, and faults of the environment.                 *)
(***************************************************************************)

(* ReplicaGet: one NotFound (or a replica in error) marks the replica ERR; *)
(* nothing clears ERR.                                                      *)
EnginePoll(n) ==
    /\ EngineOn
    /\ eng[n] \in {"RW", "WO"}
    /\ ~Found(n) \/ HasState(n, {"error"})
    /\ eng' = [eng EXCEPT ![n] = "ERR"]
    /\ unjust' = IF n \in harmed THEN unjust ELSE unjust \cup {n}
    /\ Step("EnginePoll", "engine", n, IF Found(n) THEN "error" ELSE "notfound")
    /\ UNCHANGED <<map, lvols, rlvols, exposed, cl, vf, changed, left, created, deleted, harmed, foreign>>

(* A replica that joined in WO is rebuilt: a "<n>-rebuilding" lvol exists  *)
(* while the data is copied; at the end it is merged and deleted and the   *)
(* replica becomes RW.                                                      *)
RebuildStart(n) ==
    /\ RebuildOn /\ left.rebuild > 0
    /\ eng[n] = "WO" /\ n \notin rlvols
    /\ map[n] /= None /\ map[n].st = "running"
    /\ rlvols' = rlvols \cup {n}
    /\ left' = [left EXCEPT !.rebuild = @ - 1]
    /\ Step("RebuildStart", "engine", n, "ok")
    /\ UNCHANGED <<map, lvols, exposed, cl, vf, changed, eng, created, deleted, harmed, unjust, foreign>>

RebuildFinish(n) ==
    /\ RebuildOn
    /\ n \in rlvols
    /\ rlvols' = rlvols \ {n}
    /\ eng' = IF eng[n] = "WO" THEN [eng EXCEPT ![n] = "RW"] ELSE eng
    /\ Step("RebuildFinish", "engine", n, "ok")
    /\ UNCHANGED <<map, lvols, exposed, cl, vf, changed, left, created, deleted, harmed, unjust, foreign>>

(* A head lvol disappears behind the server's back (disk failure). *)
LoseLvol(n) ==
    /\ left.loss > 0 /\ n \in lvols
    /\ lvols' = lvols \ {n}
    /\ left' = [left EXCEPT !.loss = @ - 1]
    /\ harmed' = harmed \cup {n}
    /\ created' = created \ {n}
    /\ Step("LoseLvol", "env", n, "ok")
    /\ UNCHANGED <<map, rlvols, exposed, cl, vf, changed, eng, deleted, unjust, foreign>>

(* The server (and the engine beside it) restarts: map, exposures, work in *)
(* flight and the engine's view are lost; lvols are kept.  The map comes   *)
(* back only through verify's adoption.                                    *)
Restart ==
    /\ left.restart > 0
    /\ left' = [left EXCEPT !.restart = @ - 1]
    /\ map' = NoMap
    /\ exposed' = {}
    /\ cl' = [c \in Clients |-> IdleClient]
    /\ vf' = IdleVerify
    /\ changed' = [n \in Names |-> FALSE]
    /\ eng' = [n \in Names |-> "none"]
    /\ created' = {}
    /\ Step("Restart", "env", None, "ok")
    /\ UNCHANGED <<lvols, rlvols, deleted, harmed, unjust, foreign>>

-----------------------------------------------------------------------------
Init ==
    /\ map = NoMap
    /\ lvols = {} /\ rlvols = {} /\ exposed = {}
    /\ cl = [c \in Clients |-> IdleClient]
    /\ vf = IdleVerify
    /\ changed = [n \in Names |-> FALSE]
    /\ eng = [n \in Names |-> "none"]
    /\ left = [store |-> MaxStoreFaults, loss |-> MaxLosses,
               restart |-> MaxRestarts, rebuild |-> MaxRebuilds]
    /\ created = {} /\ deleted = {} /\ harmed = {} /\ unjust = {} /\ foreign = {}
    /\ step = [action |-> "Init", proc |-> None, name |-> None, outcome |-> "ok"]

ClientNext ==
    \E c \in Clients :
        \/ \E n \in Names : CreateReserve(c, n) \/ DeleteMark(c, n)
        \/ CreateLvol(c) \/ CreateExpose(c) \/ CreatePublish(c)
        \/ CreateRollback(c) \/ CreateAbort(c)
        \/ DeleteLvol(c) \/ DeleteRemove(c)

VerifyNext == VerifyStart \/ VerifyList \/ VerifyApply

EnvNext ==
    \/ Restart
    \/ \E n \in Names : EnginePoll(n) \/ RebuildStart(n) \/ RebuildFinish(n) \/ LoseLvol(n)

Next == ClientNext \/ VerifyNext \/ EnvNext

(* Verify runs every few seconds: weak fairness on each of its steps.      *)
(* Clients and the environment get none: churn may go on forever, or stop. *)
Fairness == WF_vars(VerifyStart) /\ WF_vars(VerifyList) /\ WF_vars(VerifyApply)

Spec == Init /\ [][Next]_vars
FairSpec == Spec /\ Fairness

-----------------------------------------------------------------------------
(***************************************************************************)
(* Properties.  Each comment says why it holds for V4.                     *)
(***************************************************************************)

TypeOK ==
    /\ map \in [Names -> Entries \cup {None}]
    /\ lvols \subseteq Names /\ rlvols \subseteq Names
    /\ exposed \subseteq Names \X Objs
    /\ cl \in [Clients -> ClientStates]
    /\ vf \in VerifyStates
    /\ changed \in [Names -> BOOLEAN]
    /\ eng \in [Names -> EngineModes]
    /\ left \in [store : Nat, loss : Nat, restart : Nat, rebuild : Nat]
    /\ created \subseteq Names
    /\ deleted \subseteq Names /\ harmed \subseteq Names /\ unjust \subseteq Names
    /\ foreign \subseteq Names
    /\ step \in Steps

(* No entry is removed or marked error while its create is in flight.      *)
(* V4: the reserved entry is "creating"; verify skips in-flight entries,   *)
(* delete waits for them, and only the create itself ends them.           *)
NoDeleteWhileCreating ==
    InsertsFirst =>
        \A c \in Clients :
            CreateInFlight(c) =>
                /\ Owns(cl[c].name, c)
                /\ map[cl[c].name].st \in {"pending", "creating"}

(* A replica whose create returned running (its lvol there, no delete of  *)
(* the name in flight), with no delete, lvol loss or restart since, is in the map: ReplicaGet of its name finds an entry.    *)
(* Which object the entry holds is OneObjectPerName's concern (a twin that *)
(* overwrote it, a shadow adopted in its place).  V4: verify never removes *)
(* an entry, and a reservation is only removed by its own create, before   *)
(* it returns.  (DESIGN's wording adds "whenever no verify apply is half   *)
(* done"; no apply here removes entries midway, so it is checked in every  *)
(* state.)                                                                 *)
CreatedStaysVisible ==
    \A n \in created : Found(n)

(* At most one live replica object (in the map, or holding ports and an    *)
(* NVMe-oF subsystem) per name.  V4: one create per name at a time, and    *)
(* the adopted object only fills an absent name.                           *)
OneObjectPerName ==
    \A n \in Names : Cardinality(Live(n)) <= 1

(* After a delete returns success, the name has no entry and no lvol until *)
(* a create (or another delete) of the name starts.  V4: delete waits for an in-flight create, *)
(* keeps the name reserved until the lvol is gone, and verify cannot adopt *)
(* a name that changed since its listing.                                  *)
DeleteIsFinal ==
    \A n \in deleted : map[n] = None /\ n \notin lvols /\ n \notin rlvols

(* The engine marks a replica ERR only if its lvol was lost or a delete of *)
(* it started (since the engine added it).  V4: a created replica stays visible (above) and is marked  *)
(* error only when verify saw its lvols gone with no change since.         *)
NoHealthyReplicaMarkedErr == unjust = {}

(* A create never deletes an lvol it did not make: its rollback after a    *)
(* timeout deletes the name's lvol, so that lvol must be its own, not an   *)
(* orphan left by a restart that verify has not adopted yet (data loss).   *)
(* V4: the create looks the name up first and fails on an existing lvol.   *)
(* V0..V3 never roll back.                                                 *)
NoForeignLvolDeleted == foreign = {}

(* A replica whose lvols are all gone is eventually marked error or        *)
(* removed (or gets an lvol back), even while other names are created and  *)
(* deleted forever.  V4: the compare-and-set is per name, so churn on      *)
(* other names never stops a round from deciding about this one.           *)
Undetected(n) ==
    /\ map[n] /= None
    /\ map[n].st \in {"running", "stopped"}
    /\ n \notin lvols /\ n \notin rlvols

LostLvolDetected == \A n \in Names : Undetected(n) ~> ~Undetected(n)

=============================================================================
