/**
 * Benchmarks of the stamped-verify registry (V4) against the historical variants (issue 6).
 *
 * <p>{@link dev.replicalifecycle.bench.BenchMain} runs the whole set ({@code --quick} or {@code
 * --full}) and prints a table of ratios; the JMH benchmarks ({@link
 * dev.replicalifecycle.bench.VerifyRoundBenchmark}, {@link
 * dev.replicalifecycle.bench.CreateDeleteThroughputBenchmark}) can also be run alone with {@code
 * java -cp bench/target/benchmarks.jar org.openjdk.jmh.Main}. Nothing here is part of the
 * library; nothing here is thread-safe unless it says so.
 */
package dev.replicalifecycle.bench;
