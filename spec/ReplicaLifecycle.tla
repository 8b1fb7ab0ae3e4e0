-------------------------- MODULE ReplicaLifecycle --------------------------
(***************************************************************************)
(* The replica map of an SPDK engine server (Longhorn's SPDK data engine), *)
(* the logical volumes (lvols) behind it, and the periodic verify() that   *)
(* reconciles the two.                                                      *)
(*                                                                         *)
(* The server keeps a map name -> replica object.  Clients call create and *)
(* delete; a single verify process lists the lvols and prunes or adopts    *)
(* map entries.  Each store (SPDK JSON-RPC) call is one atomic step.  The  *)
(* engine polls the replicas it uses and marks a replica ERR on one        *)
(* NotFound; a rebuild lets a new replica join in WO and become RW.        *)
(*                                                                         *)
(* The environment is SPDK's, as observed on spdk_tgt v26.05 (DESIGN §5):  *)
(*  - a store call fails (nothing applied) or times out: applied, never    *)
(*    applied, or (LateOn) started by SPDK and finished at any later step, *)
(*    once.  SPDK never cancels a request.  While a started create of n is *)
(*    pending, a create of n answers EEXIST, a delete of n answers         *)
(*    "not found" and listings do not show n; while a started delete of n  *)
(*    is pending, listings no longer show n (SPDK unregisters the bdev     *)
(*    first), a create of n answers EEXIST and a second delete "busy";     *)
(*  - the server restarts: map, exposures, in-flight work and the engine's *)
(*    view are lost; lvols are kept; (LateOn) the store calls the lost     *)
(*    operations had already issued are still executed after it;          *)
(*  - lvols are lost (disk failure);                                       *)
(*  - a listing may be partial (MaxUncertain): an lvstore missing from the *)
(*    answer (renamed, or not loaded yet after an SPDK restart), or        *)
(*    entries that cannot be read; or the listing fails, or the            *)
(*    connection breaks during it;                                         *)
(*  - a rebuild deletes and re-clones the head while <n>-rebuilding        *)
(*    exists.                                                               *)
(*                                                                         *)
(* Why a timed-out call is "started" or "never applied" as seen by every   *)
(* later call: SPDK reads and starts the requests of a connection in the   *)
(* order they were written, and the old connection's requests (written     *)
(* before a reconnect or a restart) before a new connection's.  So a       *)
(* timed-out call is, for any call issued after it, either done, never to  *)
(* be done, or started.  This is an assumption about SPDK's poller, stated *)
(* in spec/README.md.                                                       *)
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
(*                         serialisation, rollback on failure that settles *)
(*                         an unknown outcome before it frees the name,    *)
(*                         delete marks then removes (proving absence with *)
(*                         a probe create where a create may be pending),  *)
(*                         verify applies each decision only if that name  *)
(*                         did not change since the round's stamp (a       *)
(*                         per-name compare-and-set) and judges absence    *)
(*                         only where the listing covered the lvstore and  *)
(*                         read the entries; a restart fences the old      *)
(*                         incarnation.                                    *)
(*                                                                         *)
(* Mutant removes one V4 guard on purpose, to show that each property can  *)
(* fail (see Mutants below).  Bounds, symmetry and the models are in       *)
(* MCReplicaLifecycle.tla and its .cfg files.                              *)
(*                                                                         *)
(* Abstraction: V4's round stamp and per-name versions are kept as one     *)
(* flag per name, changed[n] == "version(n) > stamp"; V3's counter as all  *)
(* flags set at once.  Only one verify round runs at a time (both in the   *)
(* real code and here), so the flags say exactly what the counters say,    *)
(* with a finite state space.  Lvstores are per name: a listing covers a   *)
(* set of names (a superset of the behaviours where names share stores).   *)
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
    LateOn,         \* TRUE: timed-out calls may finish later; calls issued before a restart run after it
    MaxStoreFaults, \* how many store calls may fail or time out in one behaviour
    MaxLosses,      \* how many lvols may be lost (disk failure) in one behaviour
    MaxRestarts,    \* how many server restarts may happen in one behaviour
    MaxRebuilds,    \* how many rebuilds may start in one behaviour
    MaxUncertain,   \* how many listings may be partial (lvstore missing, unreadable entries)
    MaxGiveUps      \* how many V4 operations may give up settling (Java's operation deadline)

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
(*   NoSettle      a rollback that finds no lvol frees the name at once    *)
(*                 (the first V4: a create still pending lands later)      *)
(*   NoProbe       "not found" is taken as proof of absence: a rollback    *)
(*                 retries its delete until one succeeds; a delete of a    *)
(*                 name with no entry trusts it                            *)
(*   NoFence       a restart does not fence the old incarnation: its       *)
(*                 operations still issue their next store call later      *)
(*   JudgeUncovered  verify marks error a name whose lvstore was missing   *)
(*                 from the listing                                        *)
(*   JudgeUnreadable verify takes an unreadable entry for an absent lvol   *)
(*   NoRebuildExemption  verify ignores <n>-rebuilding lvols               *)
(*   LeakOnGiveUp  an operation that gives up leaves its reservation       *)
(* and one regression model of a known bug, not a single guard:           *)
(*   FirstV4       the first V4's create and delete in SPDK's environment: *)
(*                 NoSettle and NoProbe together (issue 9's DeleteIsFinal  *)
(*                 counterexample; 8 steps here)                           *)
(***************************************************************************)
Mutants == {"none", "NoReserve", "NoNameLock", "JudgeInFlight", "NoCas", "GlobalSkip",
            "NoopAbsentDelete", "NoPrecheck", "NoSettle", "NoProbe", "NoFence",
            "JudgeUncovered", "JudgeUnreadable", "NoRebuildExemption", "LeakOnGiveUp", "FirstV4"}

ASSUME Variant \in Variants
ASSUME Mutant \in Mutants /\ (Mutant /= "none" => Variant = "V4")
ASSUME EngineOn \in BOOLEAN /\ RebuildOn \in BOOLEAN /\ (RebuildOn => EngineOn)
ASSUME LateOn \in BOOLEAN
ASSUME \A k \in {MaxStoreFaults, MaxLosses, MaxRestarts, MaxRebuilds, MaxUncertain, MaxGiveUps} :
           k \in Nat
ASSUME MaxGiveUps > 0 => Variant = "V4"
ASSUME None \notin Names \cup Clients

(* A replica object is named by who built it: a client, or verify (adoption). *)
Adopted == "adopted"
Objs == Clients \cup {Adopted}

(* States of a replica object.  pending: V0's entry inserted before the     *)
(* lvol exists; creating/deleting: V4's reservation while an operation is   *)
(* in flight; reserved: V4's reservation of a name with no entry by a       *)
(* delete (not visible to ReplicaGet); stopped: adopted by verify;          *)
(* terminating: V0..V3's object whose delete holds its lock; error: sticky  *)
(* until delete.                                                            *)
EntryStates == {"pending", "creating", "running", "stopped", "error", "deleting", "reserved",
                "terminating"}
Entries == [obj : Objs, st : EntryStates]
EngineModes == {"none", "RW", "WO", "ERR"}

(* A store call SPDK has started (or, for NoFence, will issue) and not      *)
(* finished: a create or delete of a head lvol, or a delete of a           *)
(* rebuilding lvol.  started = FALSE: a call not yet issued by an unfenced  *)
(* old incarnation; it acts on whatever exists when it lands.               *)
LateCalls == [call : {"create", "delete", "rdelete"}, name : Names, started : BOOLEAN]

VARIABLES
    map,        \* [Names -> Entries \cup {None}]: the server's replica map
    lvols,      \* SUBSET Names: head lvols present in the store
    rlvols,     \* SUBSET Names: "<name>-rebuilding" lvols present in the store
    late,       \* SUBSET LateCalls: store calls started by SPDK and not finished
    exposed,    \* SUBSET (Names \X Objs): objects holding ports and an NVMe-oF subsystem
    cl,         \* [Clients -> ClientStates]: each client's operation in flight
    vf,         \* the verify process: phase, what it copied and listed, names left to apply
    changed,    \* [Names -> BOOLEAN]: V4 "name changed since the stamp"; V3 all set on any change
    eng,        \* [Names -> EngineModes]: the engine's mode for each replica
    left,       \* budgets still unspent: [store, loss, restart, rebuild, uncertain, giveup]
    created,    \* history: names whose create returned running while Intact; no delete, loss or restart since
    deleted,    \* history: names whose delete returned success; no create or delete of the name since
    failed,     \* history: names whose create returned failure after its own calls may have applied; no create or delete since
    harmed,     \* history: names whose lvol was lost or whose delete started, since the engine added them
    unjust,     \* history: names the engine marked ERR while not in harmed (should stay empty)
    foreign,    \* history: names whose data-holding lvol a create's rollback deleted
    fresh,      \* history: names whose lvol a create call made and no create returned running on since
    step        \* the last step: [action, proc, name, outcome], for traces (not in the VIEW)

vars == <<map, lvols, rlvols, late, exposed, cl, vf, changed, eng, left, created, deleted, failed,
          harmed, unjust, foreign, fresh, step>>
view == <<map, lvols, rlvols, late, exposed, cl, vf, changed, eng, left, created, deleted, failed,
          harmed, unjust, foreign, fresh>>

-----------------------------------------------------------------------------
(* Client and verify process states. *)

(* pc: the client's next step.  lvol, settle, rollback, expose, publish,    *)
(* abort: a create; rlvol, lvol, probe, remove: a delete.                   *)
ClientPcs == {"idle", "lvol", "settle", "rollback", "expose", "publish", "abort", "rlvol",
              "probe", "remove"}
(* res: outcome of the client's store calls, read by its later steps.       *)
(*   ok | fail (nothing applied) | exists (EEXIST) | unknown (timeout) |   *)
(*   undone (V4: the unknown outcome was settled and nothing is left)       *)
Results == {"none", "ok", "fail", "exists", "unknown", "undone"}
(* probe: V4's delete must prove that no create of the name is pending     *)
(* before it trusts "not found" (the name had no entry, or an error one).   *)
ClientStates == [op : {"idle", "create", "delete"}, name : Names \cup {None},
                 pc : ClientPcs, obj : Objs \cup {None}, res : Results, probe : BOOLEAN]
IdleClient == [op |-> "idle", name |-> None, pc |-> "idle", obj |-> None, res |-> "none",
               probe |-> FALSE]

NoMap == [n \in Names |-> None]
(* seen, rseen: heads and rebuilding lvols the listing showed and read;     *)
(* uncov: names whose lvstore the listing did not cover; unread: names with *)
(* an entry the listing could not read.                                     *)
VerifyStates == [pc : {"idle", "list", "apply"}, copy : [Names -> Entries \cup {None}],
                 seen : SUBSET Names, rseen : SUBSET Names, uncov : SUBSET Names,
                 unread : SUBSET Names, todo : SUBSET Names]
IdleVerify == [pc |-> "idle", copy |-> NoMap, seen |-> {}, rseen |-> {}, uncov |-> {},
               unread |-> {}, todo |-> {}]

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

(* The engine adds the replica: its harm is this incarnation's only, i.e.  *)
(* its lvol is missing right now or a delete of the name is in flight.     *)
EngineAdds(n) ==
    /\ eng' = IF EngineOn THEN [eng EXCEPT ![n] = JoinMode] ELSE eng
    /\ harmed' = IF Intact(n) THEN harmed \ {n} ELSE harmed \cup {n}

Return(c) == cl' = [cl EXCEPT ![c] = IdleClient]
Goto(c, pc, res) == cl' = [cl EXCEPT ![c].pc = pc, ![c].res = res]

-----------------------------------------------------------------------------
(***************************************************************************)
(* The store: what a call answers and leaves.  A result is a record        *)
(* [out, lv, rl, lt]: the answer (or fault) and the lvols, rebuilding      *)
(* lvols and late calls after the call.                                    *)
(***************************************************************************)

PendingCreate(n) == [call |-> "create", name |-> n, started |-> TRUE] \in late
Deleting(n) == [call |-> "delete", name |-> n, started |-> TRUE] \in late
RDeleting(n) == [call |-> "rdelete", name |-> n, started |-> TRUE] \in late
(* a create of n answers EEXIST *)
Taken(n) == n \in lvols \/ PendingCreate(n)

Faults == {"fail", "timeout-applied", "timeout-lost", "timeout-late"}
Res(o, lv, rl, lt) == [out |-> o, lv |-> lv, rl |-> rl, lt |-> lt]
Same(o) == Res(o, lvols, rlvols, late)
Started(c, n) == [call |-> c, name |-> n, started |-> TRUE]
(* faults with no effect: a rejection, or a timeout of a call never applied *)
NoEffectFaults == IF left.store > 0 THEN {Same("fail"), Same("timeout-lost")} ELSE {}

(* bdev_lvol_create of n *)
CreateCall(n) ==
    IF Taken(n)
      THEN {Same("exists")} \cup NoEffectFaults
      ELSE {Res("ok", lvols \cup {n}, rlvols, late)} \cup NoEffectFaults
           \cup (IF left.store > 0 THEN {Res("timeout-applied", lvols \cup {n}, rlvols, late)} ELSE {})
           \cup (IF left.store > 0 /\ LateOn
                   THEN {Res("timeout-late", lvols, rlvols, late \cup {Started("create", n)})} ELSE {})

(* bdev_lvol_delete of the head n *)
DeleteCall(n) ==
    CASE Deleting(n) -> {Same("busy")} \cup NoEffectFaults
    []   n \in lvols ->
           {Res("ok", lvols \ {n}, rlvols, late)} \cup NoEffectFaults
           \cup (IF left.store > 0 THEN {Res("timeout-applied", lvols \ {n}, rlvols, late)} ELSE {})
           \cup (IF left.store > 0 /\ LateOn
                   THEN {Res("timeout-late", lvols, rlvols, late \cup {Started("delete", n)})} ELSE {})
    []   OTHER -> {Same("notfound")} \cup NoEffectFaults

(* bdev_lvol_delete of "<n>-rebuilding" *)
RdeleteCall(n) ==
    CASE RDeleting(n) -> {Same("busy")} \cup NoEffectFaults
    []   n \in rlvols ->
           {Res("ok", lvols, rlvols \ {n}, late)} \cup NoEffectFaults
           \cup (IF left.store > 0 THEN {Res("timeout-applied", lvols, rlvols \ {n}, late)} ELSE {})
           \cup (IF left.store > 0 /\ LateOn
                   THEN {Res("timeout-late", lvols, rlvols, late \cup {Started("rdelete", n)})} ELSE {})
    []   OTHER -> {Same("notfound")} \cup NoEffectFaults

(* Take a store call's result: the store changes, a fault spends the       *)
(* budget, and lvols made are fresh (no create returned running on them).  *)
Apply(r) ==
    /\ lvols' = r.lv /\ rlvols' = r.rl /\ late' = r.lt
    /\ left' = IF r.out \in Faults THEN [left EXCEPT !.store = @ - 1] ELSE left
    /\ fresh' = (fresh \cup (r.lv \ lvols)) \ (lvols \ r.lv)

IsTimeout(o) == o \in {"timeout-applied", "timeout-lost", "timeout-late"}

-----------------------------------------------------------------------------
(***************************************************************************)
(* Create(n) by client c: CreateReserve -> CreateLvol -> CreateExpose ->  *)
(* CreatePublish.  V4, when CreateLvol failed: CreateAbort; when its      *)
(* outcome is unknown: CreateRollback (delete), and CreateSettle (a probe *)
(* create) whenever the rollback finds nothing, until a delete succeeds;  *)
(* then CreateAbort.  An operation past Java's deadline gives up:         *)
(* CreateAbort leaves the entry in error.                                  *)
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
    /\ failed' = failed \ {n}
    /\ IF map[n] /= None
         THEN /\ Step("CreateReserve", c, n, "exists")
              /\ UNCHANGED <<map, cl, changed>>
         ELSE /\ Step("CreateReserve", c, n, "ok")
              /\ cl' = [cl EXCEPT ![c] = [op |-> "create", name |-> n, pc |-> "lvol",
                                          obj |-> c, res |-> "none", probe |-> FALSE]]
              /\ IF InsertsFirst
                   THEN /\ map' = [map EXCEPT ![n] =
                                      EntryOf(n, c, IF Variant = "V0" THEN "pending" ELSE "creating")]
                        /\ MarkChanged(n)
                   ELSE UNCHANGED <<map, changed>>
    /\ UNCHANGED <<lvols, rlvols, late, exposed, vf, eng, left, created, harmed, unjust, foreign,
                   fresh>>

(* bdev_lvol_create.  V0..V3 reuse a head that exists (prepareHead).  V4   *)
(* first looks the name up (one more store call, merged into this step: no *)
(* other action can add lvol n in between but a pending create landing,    *)
(* and the create then answers EEXIST as the merged step does) and an      *)
(* existing head or rebuilding lvol, an orphan no entry owns yet, fails    *)
(* the create with EEXIST; so its rollback can only ever delete an lvol    *)
(* made after the reservation.  A look-up changes nothing: it can only     *)
(* fail, and even its timeout is a known failure.                           *)
CreateLvol(c) ==
    LET n == cl[c].name IN
    /\ cl[c].op = "create" /\ cl[c].pc = "lvol"
    /\ IF Variant = "V4" /\ Mutant /= "NoPrecheck" /\ (n \in lvols \/ n \in rlvols)
         THEN \/ /\ Goto(c, "abort", "exists") /\ Step("CreateLvol", c, n, "exists")
                 /\ UNCHANGED <<lvols, rlvols, late, left, fresh>>
              \/ /\ left.store > 0 /\ left' = [left EXCEPT !.store = @ - 1]
                 /\ Goto(c, "abort", "fail") /\ Step("CreateLvol", c, n, "fail")
                 /\ UNCHANGED <<lvols, rlvols, late, fresh>>
       ELSE IF Variant /= "V4" /\ n \in lvols
         THEN /\ Goto(c, "expose", "ok") /\ Step("CreateLvol", c, n, "ok")
              /\ UNCHANGED <<lvols, rlvols, late, left, fresh>>
       ELSE \E r \in CreateCall(n) :
              /\ Apply(r)
              /\ Step("CreateLvol", c, n, r.out)
              /\ IF Variant = "V4"
                   THEN Goto(c, CASE r.out = "ok"         -> "expose"
                                []   r.out \in {"exists", "fail"} -> "abort"
                                []   OTHER                -> "rollback",
                                CASE r.out \in {"ok", "exists", "fail"} -> r.out
                                []   OTHER                -> "unknown")
                   ELSE Goto(c, IF r.out = "ok" THEN "expose" ELSE "publish",
                                CASE r.out = "ok"         -> "ok"
                                []   IsTimeout(r.out)     -> "unknown"
                                []   OTHER                -> "fail")
    /\ UNCHANGED <<map, exposed, vf, changed, eng, created, deleted, failed, harmed, unjust, foreign>>

(* Allocate ports, expose the head over NVMe-oF. *)
CreateExpose(c) ==
    /\ cl[c].op = "create" /\ cl[c].pc = "expose"
    /\ exposed' = exposed \cup {<<cl[c].name, c>>}
    /\ Goto(c, "publish", cl[c].res)
    /\ Step("CreateExpose", c, cl[c].name, "ok")
    /\ UNCHANGED <<map, lvols, rlvols, late, vf, changed, eng, left, created, deleted, failed, harmed,
                   unjust, foreign, fresh>>

(* The create returns.  V0: the object (wherever it is) becomes running,   *)
(* or error; no S needed (R only).  V1..V3: put the object in the map      *)
(* under S, overwriting what is there (last publish wins), on every path.  *)
(* V4: the reservation becomes running.  A create that does not return    *)
(* running after its own call may have applied counts as failed.           *)
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
                  /\ fresh' = fresh \ {n}
                  /\ UNCHANGED failed
             ELSE /\ UNCHANGED <<created, eng, harmed, fresh>>
                  /\ failed' = IF cl[c].res = "unknown" THEN failed \cup {n} ELSE failed
    /\ Return(c)
    /\ Step("CreatePublish", c, n, IF ok THEN "running" ELSE "error")
    /\ UNCHANGED <<lvols, rlvols, late, exposed, vf, deleted, left, unjust, foreign>>

(* V4, after an unknown outcome: delete the lvol that may have been made.  *)
(* A delete that succeeds settles it: a create is applied at most once,    *)
(* and a pending create excludes an lvol of the name.  "Not found" does    *)
(* not settle it (the create may still be pending): probe (CreateSettle).  *)
(* Anything else: try again.                                               *)
CreateRollback(c) ==
    LET n == cl[c].name IN
    /\ cl[c].op = "create" /\ cl[c].pc = "rollback"
    /\ \E r \in DeleteCall(n) :
         /\ Apply(r)
         /\ foreign' = IF n \in lvols /\ n \notin r.lv /\ n \notin fresh
                         THEN foreign \cup {n} ELSE foreign
         /\ Step("CreateRollback", c, n, r.out)
         /\ CASE r.out = "ok" -> Goto(c, "abort", "undone")
            []   r.out = "notfound" /\ Mutant \in {"NoSettle", "FirstV4"} -> Goto(c, "abort", "undone")
            []   r.out = "notfound" /\ Mutant /= "NoProbe" -> Goto(c, "settle", cl[c].res)
            []   OTHER -> Goto(c, "rollback", cl[c].res)
    /\ UNCHANGED <<map, exposed, vf, changed, eng, created, deleted, failed, harmed, unjust>>

(* V4: a probe create of the name.  EEXIST: the create landed or is still  *)
(* pending; success: none was pending, and now this lvol is the one to     *)
(* delete.  Either way (and after a fault) the rollback goes on.           *)
CreateSettle(c) ==
    LET n == cl[c].name IN
    /\ cl[c].op = "create" /\ cl[c].pc = "settle"
    /\ \E r \in CreateCall(n) :
         /\ Apply(r)
         /\ Goto(c, "rollback", cl[c].res)
         /\ Step("CreateSettle", c, n, r.out)
    /\ UNCHANGED <<map, exposed, vf, changed, eng, created, deleted, failed, harmed, unjust, foreign>>

(* V4: give the name back and fail.  Or give up settling (Java's operation *)
(* deadline; budget MaxGiveUps): leave the entry in error, the name taken  *)
(* until a delete, which settles it; the caller learns that the outcome is *)
(* unknown (not a failure).                                                 *)
CreateAbort(c) ==
    LET n == cl[c].name
        giveUp == cl[c].pc \in {"rollback", "settle"}
    IN
    /\ cl[c].op = "create"
    /\ \/ cl[c].pc = "abort"
       \/ giveUp /\ left.giveup > 0
    /\ left' = IF giveUp THEN [left EXCEPT !.giveup = @ - 1] ELSE left
    /\ map' = CASE giveUp /\ Mutant = "LeakOnGiveUp" -> map
              []   giveUp -> [map EXCEPT ![n] = EntryOf(n, c, "error")]
              []   OTHER  -> [map EXCEPT ![n] = None]
    /\ MarkChanged(n)
    /\ failed' = IF cl[c].res = "undone" /\ ~giveUp THEN failed \cup {n} ELSE failed
    /\ Return(c)
    /\ Step("CreateAbort", c, n, IF giveUp THEN "error" ELSE "removed")
    /\ UNCHANGED <<lvols, rlvols, late, exposed, vf, eng, created, deleted, harmed, unjust, foreign,
                   fresh>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Delete(n) by client c: DeleteMark -> DeleteRlvol -> DeleteLvol ->       *)
(* DeleteRemove.  V4, where "not found" proves nothing (the name had no    *)
(* entry, or an error one): DeleteProbe between DeleteLvol tries, until a  *)
(* delete succeeds.                                                        *)
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
    /\ failed' = failed \ {n}
    /\ IF map[n] = None /\ ~V4Guard("NoopAbsentDelete")
         THEN /\ deleted' = deleted \cup {n}
              /\ IF Variant = "V3" THEN MarkChanged(n) ELSE UNCHANGED changed
              /\ Step("DeleteMark", c, n, "absent")
              /\ UNCHANGED <<map, cl>>
         ELSE /\ cl' = [cl EXCEPT ![c] = [op |-> "delete", name |-> n, pc |-> "rlvol",
                                          obj |-> IF map[n] = None THEN c ELSE map[n].obj,
                                          res |-> "none",
                                          probe |-> Variant = "V4" /\ ~HasState(n, EntryStates \ {"error"})]]
              /\ IF Variant = "V4"
                   THEN /\ map' = [map EXCEPT ![n] = IF map[n] = None THEN EntryOf(n, c, "reserved")
                                                     ELSE [map[n] EXCEPT !.st = "deleting"]]
                        /\ MarkChanged(n)
                   ELSE UNCHANGED <<map, changed>>
              /\ Step("DeleteMark", c, n, IF map[n] = None THEN "absent" ELSE "found")
              /\ deleted' = deleted \ {n}
    /\ UNCHANGED <<lvols, rlvols, late, exposed, vf, eng, left, unjust, foreign, fresh>>

(* Under the object's lock R: stop the exposure, then delete the           *)
(* rebuilding lvol (which stops a rebuild: it cannot re-clone the head     *)
(* without it).  Not-found counts as done.  V0..V3 hold R to the end of    *)
(* the delete, so no reader sees the object in between: it is marked       *)
(* terminating now.  V4 retries a busy or timed-out call.                  *)
DeleteRlvol(c) ==
    LET n == cl[c].name IN
    /\ cl[c].op = "delete" /\ cl[c].pc = "rlvol"
    /\ Variant /= "V4" => ~RLocked(n, cl[c].obj)
    /\ exposed' = exposed \ {<<n, cl[c].obj>>}
    /\ \E r \in RdeleteCall(n) :
         /\ Apply(r)
         /\ Step("DeleteRlvol", c, n, r.out)
         /\ CASE r.out \in {"ok", "notfound"} -> Goto(c, "lvol", "ok")
            []   Variant = "V4" /\ r.out /= "fail" -> Goto(c, "rlvol", cl[c].res)
            []   OTHER -> Goto(c, "remove", "fail")
    /\ map' = IF Variant /= "V4" /\ Owns(n, cl[c].obj)
                THEN [map EXCEPT ![n].st = "terminating"] ELSE map
    /\ UNCHANGED <<vf, changed, eng, created, deleted, failed, harmed, unjust, foreign>>

(* bdev_lvol_delete of the head.  Not found counts as done, except for a   *)
(* V4 delete that must probe.  V4 retries a busy or timed-out call.        *)
DeleteLvol(c) ==
    LET n == cl[c].name IN
    /\ cl[c].op = "delete" /\ cl[c].pc = "lvol"
    /\ \E r \in DeleteCall(n) :
         /\ Apply(r)
         /\ Step("DeleteLvol", c, n, r.out)
         /\ CASE r.out = "ok" -> Goto(c, "remove", "ok")
            []   r.out = "notfound" /\ cl[c].probe /\ Mutant \notin {"NoProbe", "FirstV4"} -> Goto(c, "probe", cl[c].res)
            []   r.out = "notfound" -> Goto(c, "remove", "ok")
            []   Variant = "V4" /\ r.out /= "fail" -> Goto(c, "lvol", cl[c].res)
            []   OTHER -> Goto(c, "remove", "fail")
    /\ created' = created \ {n}
    /\ UNCHANGED <<map, exposed, vf, changed, eng, deleted, failed, harmed, unjust, foreign>>

(* V4: a probe create of the name.  EEXIST: a create landed or is pending; *)
(* success: none is, and this lvol is the one to delete.  Either way the   *)
(* delete goes on.  A rejected probe cannot prove absence: the delete      *)
(* fails.                                                                  *)
DeleteProbe(c) ==
    LET n == cl[c].name IN
    /\ cl[c].op = "delete" /\ cl[c].pc = "probe"
    /\ \E r \in CreateCall(n) :
         /\ Apply(r)
         /\ Step("DeleteProbe", c, n, r.out)
         /\ IF r.out = "fail" THEN Goto(c, "remove", "fail") ELSE Goto(c, "lvol", cl[c].res)
    /\ UNCHANGED <<map, exposed, vf, changed, eng, created, deleted, failed, harmed, unjust, foreign>>

(* Remove the entry (V0..V3 by name, under S), or, if a store call failed, *)
(* leave the object in error.  V4 keeps the name reserved until here, and  *)
(* may give up retrying (Java's deadline): the entry is left in error.     *)
DeleteRemove(c) ==
    LET n == cl[c].name
        giveUp == cl[c].pc \in {"rlvol", "lvol", "probe"}
        ok == cl[c].res = "ok" /\ ~giveUp
    IN
    /\ cl[c].op = "delete"
    /\ \/ cl[c].pc = "remove"
       \/ giveUp /\ left.giveup > 0
    /\ SFree
    /\ left' = IF giveUp THEN [left EXCEPT !.giveup = @ - 1] ELSE left
    /\ map' = CASE ok -> [map EXCEPT ![n] = None]
              []   giveUp /\ Mutant = "LeakOnGiveUp" -> map
              []   Owns(n, cl[c].obj) -> [map EXCEPT ![n].st = "error"]
              []   OTHER -> map
    /\ IF ok \/ Variant = "V4" THEN MarkChanged(n) ELSE UNCHANGED changed
    /\ deleted' = IF ok THEN deleted \cup {n} ELSE deleted
    /\ Return(c)
    /\ created' = created \ {n}
    /\ Step("DeleteRemove", c, n, IF ok THEN "removed" ELSE "error")
    /\ UNCHANGED <<lvols, rlvols, late, exposed, vf, eng, failed, harmed, unjust, foreign, fresh>>

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
    /\ UNCHANGED <<map, lvols, rlvols, late, exposed, cl, eng, left, created, deleted, failed, harmed,
                   unjust, foreign, fresh>>

(* upstream's deferred SetErrorState when the listing's connection broke:  *)
(* every replica object of the round's map (V0, V1: the locked map; V2,    *)
(* V3: the copy) that is still in the map becomes error, unless stopped    *)
BrokenPipe ==
    LET base == IF LockedVerify THEN map ELSE vf.copy IN
    [n \in Names |-> IF map[n] /= None /\ base[n] /= None /\ base[n].obj = map[n].obj
                        /\ map[n].st \notin {"stopped", "error"}
                       THEN [map[n] EXCEPT !.st = "error"] ELSE map[n]]

(* The lvols a listing shows: not those SPDK is deleting. *)
Listed == {n \in lvols : ~Deleting(n)}
RListed == {n \in rlvols : ~RDeleting(n)}

(* bdev_get_bdevs: one atomic listing.  It may be partial (MaxUncertain):  *)
(* the lvstores of some names missing (renamed, or not loaded yet), some   *)
(* entries unreadable.  V0..V3 (Go's JSON decoding) fail the whole round   *)
(* on an unreadable entry, and take a missing lvstore's lvols for absent.  *)
(* The call may fail (the round ends) or its connection break (V0..V3 then *)
(* mark every replica error, as upstream's verify does).  Three actions,   *)
(* so that trace validation tries only the one a recorded outcome names    *)
(* (the partial one enumerates subsets of Names).                          *)

(* A listing that covered the lvstores of cov and could not read the       *)
(* entries (head and rebuilding lvol) of unr.                              *)
Listing(cov, unr) ==
    LET partial == cov /= Names \/ unr /= {} IN
    IF Variant /= "V4" /\ unr /= {}
      THEN /\ vf' = IdleVerify
           /\ Step("VerifyList", "verify", None, "unreadable")
      ELSE /\ vf' = [vf EXCEPT !.pc = "apply", !.seen = (Listed \cap cov) \ unr,
                               !.rseen = (RListed \cap cov) \ unr, !.uncov = Names \ cov,
                               !.unread = unr, !.todo = Names]
           /\ Step("VerifyList", "verify", None, IF partial THEN "partial" ELSE "ok")

VerifyListFull ==
    /\ vf.pc = "list"
    /\ Listing(Names, {})
    /\ UNCHANGED <<map, lvols, rlvols, late, exposed, cl, changed, eng, left, created, deleted, failed,
                   harmed, unjust, foreign, fresh>>

VerifyListPartial ==
    /\ vf.pc = "list"
    /\ left.uncertain > 0
    /\ left' = [left EXCEPT !.uncertain = @ - 1]
    /\ \E cov \in SUBSET Names :
         \E unr \in SUBSET ((Listed \cup RListed) \cap cov) :
           /\ cov /= Names \/ unr /= {}
           /\ Listing(cov, unr)
    /\ UNCHANGED <<map, lvols, rlvols, late, exposed, cl, changed, eng, created, deleted, failed,
                   harmed, unjust, foreign, fresh>>

VerifyListFault ==
    /\ vf.pc = "list"
    /\ left.store > 0 /\ left' = [left EXCEPT !.store = @ - 1]
    /\ \E kind \in {"fail", "broken"} :
         /\ vf' = IdleVerify
         /\ map' = IF kind = "broken" /\ Variant /= "V4" THEN BrokenPipe ELSE map
         /\ Step("VerifyList", "verify", None, kind)
    /\ UNCHANGED <<lvols, rlvols, late, exposed, cl, changed, eng, created, deleted, failed, harmed,
                   unjust, foreign, fresh>>

VerifyList == VerifyListFull \/ VerifyListPartial \/ VerifyListFault

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
    /\ UNCHANGED <<lvols, rlvols, late, exposed, cl, changed, eng, left, created, deleted, failed, harmed,
                   unjust, foreign, fresh>>

(* V4, one name at a time, each a compare-and-set on that name: skip it if *)
(* it changed since the stamp or an operation on it is in flight; else an  *)
(* entry with neither head nor rebuilding lvol listed becomes error (it    *)
(* stays visible), but only if the listing covered its lvstore and read    *)
(* its entries ("uncertain" otherwise); a head lvol with no entry is       *)
(* adopted as stopped.                                                     *)
V4Decision(n) ==
    LET e == map[n]
        missing == n \notin vf.seen /\ (n \notin vf.rseen \/ Mutant = "NoRebuildExemption")
        judged == e /= None /\ e.st \in {"running", "stopped", "creating", "deleting"} /\ missing
    IN
    CASE Mutant = "GlobalSkip" /\ \E m \in Names : changed[m] -> "changed"
    []   changed[n] /\ Mutant /= "NoCas" -> "changed"
    []   e /= None /\ e.st \in {"creating", "deleting", "reserved"} /\ Mutant /= "JudgeInFlight" -> "inflight"
    []   judged /\ n \in vf.uncov /\ Mutant /= "JudgeUncovered" -> "uncertain"
    []   judged /\ n \in vf.unread /\ Mutant /= "JudgeUnreadable" -> "uncertain"
    []   judged -> "error"
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
    /\ UNCHANGED <<lvols, rlvols, late, exposed, cl, changed, eng, left, created, deleted, failed, harmed,
                   unjust, foreign, fresh>>

(* One action for TLC's label, whatever the variant (TLC names a step by   *)
(* the sub-action it took, and an IF is not split into sub-actions).       *)
VerifyApply == IF Variant = "V4" THEN \E n \in Names : VerifyApplyName(n) ELSE VerifyApplyRound

-----------------------------------------------------------------------------
(***************************************************************************)
(* The engine, the rebuild, and the environment.                           *)
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
    /\ UNCHANGED <<map, lvols, rlvols, late, exposed, cl, vf, changed, left, created, deleted, failed,
                   harmed, foreign, fresh>>

(* A replica that joined in WO is rebuilt: a "<n>-rebuilding" lvol exists  *)
(* while the data is copied; the head is deleted and re-cloned meanwhile;  *)
(* at the end the rebuilding lvol is deleted and the replica becomes RW.   *)
(* A delete of the name stops the rebuild by deleting its rebuilding lvol. *)
RebuildStart(n) ==
    /\ RebuildOn /\ left.rebuild > 0
    /\ eng[n] = "WO" /\ n \notin rlvols
    /\ map[n] /= None /\ map[n].st = "running"
    /\ rlvols' = rlvols \cup {n}
    /\ left' = [left EXCEPT !.rebuild = @ - 1]
    /\ Step("RebuildStart", "engine", n, "ok")
    /\ UNCHANGED <<map, lvols, late, exposed, cl, vf, changed, eng, created, deleted, failed, harmed,
                   unjust, foreign, fresh>>

RebuildDropHead(n) ==
    /\ RebuildOn
    /\ eng[n] = "WO" /\ n \in rlvols /\ n \in lvols /\ ~Deleting(n)
    /\ lvols' = lvols \ {n}
    /\ fresh' = fresh \ {n}
    /\ Step("RebuildDropHead", "engine", n, "ok")
    /\ UNCHANGED <<map, rlvols, late, exposed, cl, vf, changed, eng, left, created, deleted, failed,
                   harmed, unjust, foreign>>

RebuildCloneHead(n) ==
    /\ RebuildOn
    /\ eng[n] = "WO" /\ n \in rlvols /\ ~Taken(n)
    /\ lvols' = lvols \cup {n}
    /\ Step("RebuildCloneHead", "engine", n, "ok")
    /\ UNCHANGED <<map, rlvols, late, exposed, cl, vf, changed, eng, left, created, deleted, failed,
                   harmed, unjust, foreign, fresh>>

RebuildFinish(n) ==
    /\ RebuildOn
    /\ n \in rlvols /\ n \in lvols /\ ~RDeleting(n)
    /\ rlvols' = rlvols \ {n}
    /\ eng' = IF eng[n] = "WO" THEN [eng EXCEPT ![n] = "RW"] ELSE eng
    /\ Step("RebuildFinish", "engine", n, "ok")
    /\ UNCHANGED <<map, lvols, late, exposed, cl, vf, changed, left, created, deleted, failed, harmed,
                   unjust, foreign, fresh>>

(* A head lvol disappears behind the server's back (disk failure).  A     *)
(* delete SPDK started on it ends with it: SPDK resolved the lvol when the *)
(* delete started, so it can never remove a later lvol of the same name.  *)
LoseLvol(n) ==
    /\ left.loss > 0 /\ n \in lvols
    /\ lvols' = lvols \ {n}
    /\ late' = late \ {Started("delete", n)}
    /\ left' = [left EXCEPT !.loss = @ - 1]
    /\ harmed' = harmed \cup {n}
    /\ created' = created \ {n}
    /\ fresh' = fresh \ {n}
    /\ Step("LoseLvol", "env", n, "ok")
    /\ UNCHANGED <<map, rlvols, exposed, cl, vf, changed, eng, deleted, failed, unjust, foreign>>

(* SPDK finishes a call it started (or an unfenced old incarnation's call  *)
(* is issued and done), or the call ends without effect (an asynchronous   *)
(* failure).  A started create makes the lvol (its name was taken while it *)
(* ran); an unstarted one only if the name is free.                        *)
LateApply(x) ==
    /\ x \in late
    /\ late' = late \ {x}
    /\ LET n == x.name IN
       CASE x.call = "create" ->
              /\ lvols' = IF x.started \/ ~Taken(n) THEN lvols \cup {n} ELSE lvols
              /\ fresh' = IF x.started \/ ~Taken(n) THEN fresh \cup {n} ELSE fresh
              /\ UNCHANGED rlvols
       []   x.call = "delete" ->
              /\ lvols' = lvols \ {n} /\ fresh' = fresh \ {n} /\ UNCHANGED rlvols
       []   OTHER ->
              /\ rlvols' = rlvols \ {n} /\ UNCHANGED <<lvols, fresh>>
    /\ Step("LateApply", "env", x.name, x.call)
    /\ UNCHANGED <<map, exposed, cl, vf, changed, eng, left, created, deleted, failed, harmed, unjust,
                   foreign>>

LateDrop(x) ==
    /\ x \in late
    /\ late' = late \ {x}
    /\ Step("LateDrop", "env", x.name, x.call)
    /\ UNCHANGED <<map, lvols, rlvols, exposed, cl, vf, changed, eng, left, created, deleted, failed,
                   harmed, unjust, foreign, fresh>>

LateResolve == \E x \in late : LateApply(x) \/ LateDrop(x)

(* The store call client c's next step makes, if that is a store call. *)
NextCall(c) ==
    LET n == cl[c].name IN
    CASE cl[c].op = "create" /\ cl[c].pc \in {"lvol", "settle"} -> [call |-> "create", name |-> n]
    []   cl[c].op = "create" /\ cl[c].pc = "rollback"          -> [call |-> "delete", name |-> n]
    []   cl[c].op = "delete" /\ cl[c].pc = "rlvol"             -> [call |-> "rdelete", name |-> n]
    []   cl[c].op = "delete" /\ cl[c].pc = "lvol"              -> [call |-> "delete", name |-> n]
    []   cl[c].op = "delete" /\ cl[c].pc = "probe"             -> [call |-> "create", name |-> n]
    []   OTHER                                                 -> None

(* Can that call be started now (and then be pending)?  A V4 create whose  *)
(* look-up finds a lvol makes no create call.                              *)
Startable(x) ==
    CASE x.call = "create" -> ~Taken(x.name) /\ (Variant = "V4" => x.name \notin rlvols)
    []   x.call = "delete" -> x.name \in lvols /\ ~Deleting(x.name)
    []   OTHER             -> x.name \in rlvols /\ ~RDeleting(x.name)

(* The server (and the engine beside it) restarts: map, exposures, work in *)
(* flight and the engine's view are lost; lvols are kept.  The map comes   *)
(* back only through verify's adoption.  A store call an operation had     *)
(* already issued may still run (LateOn); no later step of the old         *)
(* incarnation runs (V4's fence; a restarted process for V0..V3).  Without *)
(* the fence (NoFence), each operation's next store call is still made,    *)
(* at any later point, on whatever is there then.                          *)
Restart ==
    /\ left.restart > 0
    /\ left' = [left EXCEPT !.restart = @ - 1]
    /\ LET inflight == {c \in Clients : NextCall(c) /= None}
           AsLate(c, s) == [call |-> NextCall(c).call, name |-> NextCall(c).name, started |-> s]
       IN IF Mutant = "NoFence"
            THEN late' = late \cup {AsLate(c, FALSE) : c \in inflight}
            ELSE \E issued \in SUBSET {c \in inflight : LateOn /\ Startable(AsLate(c, TRUE))} :
                   late' = late \cup {AsLate(c, TRUE) : c \in issued}
    /\ map' = NoMap
    /\ exposed' = {}
    /\ cl' = [c \in Clients |-> IdleClient]
    /\ vf' = IdleVerify
    /\ changed' = [n \in Names |-> FALSE]
    /\ eng' = [n \in Names |-> "none"]
    /\ created' = {}
    /\ Step("Restart", "env", None, "ok")
    /\ UNCHANGED <<lvols, rlvols, deleted, failed, harmed, unjust, foreign, fresh>>

-----------------------------------------------------------------------------
Init ==
    /\ map = NoMap
    /\ lvols = {} /\ rlvols = {} /\ late = {} /\ exposed = {}
    /\ cl = [c \in Clients |-> IdleClient]
    /\ vf = IdleVerify
    /\ changed = [n \in Names |-> FALSE]
    /\ eng = [n \in Names |-> "none"]
    /\ left = [store |-> MaxStoreFaults, loss |-> MaxLosses, restart |-> MaxRestarts,
               rebuild |-> MaxRebuilds, uncertain |-> MaxUncertain, giveup |-> MaxGiveUps]
    /\ created = {} /\ deleted = {} /\ failed = {} /\ harmed = {} /\ unjust = {}
    /\ foreign = {} /\ fresh = {}
    /\ step = [action |-> "Init", proc |-> None, name |-> None, outcome |-> "ok"]

(* The steps of an operation in flight (not its start). *)
ClientStep(c) ==
    \/ CreateLvol(c) \/ CreateExpose(c) \/ CreatePublish(c)
    \/ CreateRollback(c) \/ CreateSettle(c) \/ CreateAbort(c)
    \/ DeleteRlvol(c) \/ DeleteLvol(c) \/ DeleteProbe(c) \/ DeleteRemove(c)

ClientNext ==
    \E c \in Clients :
        \/ \E n \in Names : CreateReserve(c, n) \/ DeleteMark(c, n)
        \/ ClientStep(c)

VerifyNext == VerifyStart \/ VerifyList \/ VerifyApply

EnvNext ==
    \/ Restart
    \/ LateResolve
    \/ \E n \in Names :
         \/ EnginePoll(n) \/ RebuildStart(n) \/ RebuildDropHead(n) \/ RebuildCloneHead(n)
         \/ RebuildFinish(n) \/ LoseLvol(n)

Next == ClientNext \/ VerifyNext \/ EnvNext

(* Verify runs every few seconds: weak fairness on each of its steps.      *)
(* Clients and the environment get none: churn may go on forever, or stop. *)
Fairness == WF_vars(VerifyStart) /\ WF_vars(VerifyList) /\ WF_vars(VerifyApply)

(* For client progress: an operation in flight keeps taking its steps, and *)
(* SPDK finishes what it started.  Starting operations is never forced.    *)
(* Strong fairness for clients: a step that waits for a lock (S, R) is     *)
(* enabled only while nobody holds it, and a real lock hands itself over   *)
(* to a waiter (Go's mutex switches to starvation mode after 1 ms); weak   *)
(* fairness would let back-to-back verify rounds starve a client.          *)
ProgressFairness ==
    /\ Fairness
    /\ \A c \in Clients : SF_vars(ClientStep(c))
    /\ WF_vars(LateResolve)

Spec == Init /\ [][Next]_vars
FairSpec == Spec /\ Fairness
ProgressSpec == Spec /\ ProgressFairness

-----------------------------------------------------------------------------
(***************************************************************************)
(* Properties.  Each comment says why it holds for V4.                     *)
(***************************************************************************)

TypeOK ==
    /\ map \in [Names -> Entries \cup {None}]
    /\ lvols \subseteq Names /\ rlvols \subseteq Names
    /\ late \subseteq LateCalls
    /\ exposed \subseteq Names \X Objs
    /\ cl \in [Clients -> ClientStates]
    /\ vf \in VerifyStates
    /\ changed \in [Names -> BOOLEAN]
    /\ eng \in [Names -> EngineModes]
    /\ left \in [store : Nat, loss : Nat, restart : Nat, rebuild : Nat, uncertain : Nat, giveup : Nat]
    /\ created \subseteq Names /\ deleted \subseteq Names /\ failed \subseteq Names
    /\ harmed \subseteq Names /\ unjust \subseteq Names
    /\ foreign \subseteq Names /\ fresh \subseteq Names
    /\ step \in Steps

(* No entry is removed or marked error while its create is in flight.      *)
(* Only meaningful where create inserts first (V0, V4): V1..V3 have no     *)
(* entry to remove before they publish (n/a).  V4: the reserved entry is   *)
(* "creating"; verify skips in-flight entries, delete waits for them, and  *)
(* only the create itself ends them.                                       *)
NoDeleteWhileCreating ==
    InsertsFirst =>
        \A c \in Clients :
            CreateInFlight(c) =>
                /\ Owns(cl[c].name, c)
                /\ map[cl[c].name].st \in {"pending", "creating"}

(* A replica whose create returned running (its lvol there, no delete of  *)
(* the name in flight), with no delete, lvol loss or restart since, is in *)
(* the map: ReplicaGet of its name finds an entry.  Which object the entry *)
(* holds is OneObjectPerName's concern.  V4: verify never removes an       *)
(* entry, and a reservation is only removed by its own operation.          *)
CreatedStaysVisible ==
    \A n \in created : Found(n)

(* At most one live replica object (in the map, or holding ports and an    *)
(* NVMe-oF subsystem) per name.  V4: one create per name at a time, and    *)
(* the adopted object only fills an absent name.                           *)
OneObjectPerName ==
    \A n \in Names : Cardinality(Live(n)) <= 1

(* After a delete returns success, the name has no entry, no lvol and no   *)
(* create of it pending in the store, until a create (or another delete)   *)
(* of the name starts.  V4: delete waits for an in-flight create, keeps    *)
(* the name reserved until the lvol is gone and, where a create may be     *)
(* pending (no entry, or an error one), proves it is not with a probe;     *)
(* verify cannot adopt a name that changed since its listing.              *)
DeleteIsFinal ==
    \A n \in deleted : map[n] = None /\ n \notin lvols /\ n \notin rlvols /\ ~PendingCreate(n)

(* The create-side twin of DeleteIsFinal: a create that returned failure   *)
(* after its own store calls may have applied leaves nothing of its own:   *)
(* no entry (no adopted phantom), no lvol, no create pending, until a      *)
(* create or delete of the name starts.  (A create that failed before any  *)
(* call of its own could apply is not counted: an lvol of the name is then *)
(* not its own.)  V4: the rollback frees the name only after a delete      *)
(* succeeded, which proves that no create of the name is pending.          *)
FailedCreateLeavesNothing ==
    \A n \in failed : ~Found(n) /\ n \notin lvols /\ ~PendingCreate(n)

(* Every reservation (an entry pending, creating, deleting or reserved)    *)
(* belongs to an operation in flight on that name.  V4: each operation     *)
(* ends its reservation on every path, giving up included.                 *)
ReservationHasOwner ==
    \A n \in Names :
        HasState(n, {"pending", "creating", "deleting", "reserved"}) =>
            \E c \in Clients : cl[c].op /= "idle" /\ cl[c].name = n /\ cl[c].obj = map[n].obj

(* A replica in the map as running holds its exposure (ports and an        *)
(* NVMe-oF subsystem).  V4: a create exposes before it publishes; nothing  *)
(* else makes an entry running.                                            *)
RunningIsExposed ==
    \A n \in Names : HasState(n, {"running"}) => <<n, map[n].obj>> \in exposed

(* The engine marks a replica ERR only if its lvol was lost or a delete of *)
(* it started (since the engine added it).  V4: a created replica stays    *)
(* visible (above) and is marked error only when verify saw its lvols gone *)
(* from a covered, readable listing with no change since.                  *)
NoHealthyReplicaMarkedErr == unjust = {}

(* A create never deletes an lvol that holds a replica's data: its         *)
(* rollback after a timeout deletes the name's lvol, so that lvol must be  *)
(* fresh (made by a create call, no create returned running on it since),  *)
(* not an orphan left by a restart that verify has not adopted yet (data   *)
(* loss).  V4: the create looks the name up first and fails on an existing *)
(* lvol.  V0..V3 never roll back.                                          *)
NoForeignLvolDeleted == foreign = {}

(* A replica whose lvols are all gone is eventually marked error or        *)
(* removed (or gets an lvol back), even while other names are created and  *)
(* deleted forever.  V4: the compare-and-set is per name, so churn on      *)
(* other names never stops a round from deciding about this one; partial   *)
(* listings are finitely many.                                             *)
Undetected(n) ==
    /\ map[n] /= None
    /\ map[n].st \in {"running", "stopped"}
    /\ n \notin lvols /\ n \notin rlvols

LostLvolDetected == \A n \in Names : Undetected(n) ~> ~Undetected(n)

(* Every operation in flight eventually returns (under ProgressSpec: its   *)
(* steps are taken, SPDK finishes what it started).  V4: each retry loop   *)
(* ends, since faults are finitely many and a probe create tells a lost    *)
(* create (it succeeds) from a pending one (EEXIST until it lands).        *)
OperationsReturn == \A c \in Clients : cl[c].op /= "idle" ~> cl[c].op = "idle"

=============================================================================
