package dev.replicalifecycle.modelcheck;

import java.util.List;

/**
 * One model of {@code spec/manifest.json}: which module and configuration TLC checks, what the
 * result must be, and (for success) the exact state count and depth. Immutable; built by
 * {@link Manifest#load}, which checks the required fields.
 *
 * @param model          unique id
 * @param module         TLA+ module, file {@code <module>.tla} in the spec directory
 * @param config         TLC configuration file in the spec directory
 * @param variant        V0..V4
 * @param mutant         guard removed in a V4 mutant, or null
 * @param env            the environment the model's constants describe: {@code spdk} (SPDK's: late
 *                       calls, partial listings) or {@code classic} (the first model's: neither);
 *                       null for manifests that do not say
 * @param size           small (runs in {@code mvn verify}) or deep
 * @param properties     invariants and properties this model checks
 * @param expected       expected outcome
 * @param distinctStates expected distinct states (success models), or null
 * @param depth          expected depth (success models), or null
 * @param note           free text, or null
 */
record ModelEntry(String model, String module, String config, String variant, String mutant, String env, String size,
                  List<String> properties, Outcome expected, Long distinctStates, Integer depth, String note) {

    static final String SMALL = "small";
    static final String DEEP = "deep";
    /** The environment of the first model, before SPDK's late calls and partial listings. */
    static final String CLASSIC = "classic";

    ModelEntry {
        properties = properties == null ? List.of() : List.copyOf(properties);
    }

    /**
     * @return the matrix row: the variant, or {@code V4-<mutant>} for mutants, with {@code
     *     (classic)} appended for models of the classic environment
     */
    String row() {
        return (mutant == null ? variant : variant + "-" + mutant) + (CLASSIC.equals(env) ? " (classic)" : "");
    }
}
