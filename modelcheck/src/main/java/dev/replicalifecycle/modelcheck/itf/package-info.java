/**
 * TLA+ values as TLC prints them, and counterexample traces in Apalache's Informal Trace
 * Format (ITF).
 *
 * <p>Public entry points: {@link dev.replicalifecycle.modelcheck.itf.TlaValueParser} (TLC's
 * value text to {@link dev.replicalifecycle.modelcheck.itf.TlaValue}),
 * {@link dev.replicalifecycle.modelcheck.itf.ItfValues} (ITF JSON encoding and decoding into
 * plain Java) and {@link dev.replicalifecycle.modelcheck.itf.ItfTrace} (reading and writing
 * {@code .itf.json} files; replay tests use it to walk a counterexample state by state).
 *
 * <p>Everything here is either immutable or stateless, and safe to use from any thread.
 */
package dev.replicalifecycle.modelcheck.itf;
