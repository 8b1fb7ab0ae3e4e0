/**
 * Runs TLC on the models listed in {@code spec/manifest.json} and checks each against its
 * expected verdict.
 *
 * <p>The only public type is {@link dev.replicalifecycle.modelcheck.ModelCheckMain}, the
 * command line. Inside: {@code Manifest} reads the manifest; {@code TlcLauncher} runs TLC in a
 * child JVM per model (TLC calls {@code System.exit} and keeps static state);
 * {@code TlcOutput} and {@code TlcReport} read TLC's {@code -tool} output; {@code ModelResult}
 * compares it with the manifest; {@code TraceExporter} writes counterexamples as ITF (see
 * {@link dev.replicalifecycle.modelcheck.itf}); {@code ModelChecker} ties these together and
 * writes {@code verdicts.json}; {@code ReportPrinter} prints the verdict matrix;
 * {@code HtmlReport} writes it as {@code report/index.html}, with a swimlane page per
 * counterexample that {@code TraceView} lays out.
 *
 * <p>Records here are immutable; {@code ModelChecker} and {@code TlcLauncher} are thread-safe
 * and run several TLC children at once; the rest is stateless.
 */
package dev.replicalifecycle.modelcheck;
