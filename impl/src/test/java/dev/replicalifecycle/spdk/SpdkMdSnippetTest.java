package dev.replicalifecycle.spdk;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The code snippet of SPDK.md ("Pointing the registry at a running spdk_tgt") compiles as
 * written: put inside a method that declares no exception (so a checked exception the snippet
 * does not handle is a compile error), with the imports SPDK.md names.
 */
class SpdkMdSnippetTest {

  static final String HEADING = "### Pointing the registry at a running `spdk_tgt`";

  /** The first {@code ```java} block after the heading. */
  static String snippet(String markdown) {
    int at = markdown.indexOf(HEADING);
    assertTrue(at >= 0, "no heading " + HEADING);
    int start = markdown.indexOf("```java\n", at);
    int end = markdown.indexOf("\n```", start + 8);
    assertTrue(start >= 0 && end > start, "no java block after " + HEADING);
    return markdown.substring(start + 8, end);
  }

  @Test
  void theSnippetCompilesAsWritten() throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assumeTrue(javac != null, "no Java compiler in this runtime (a JRE, not a JDK)");
    Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    String markdown = Files.readString(base.resolve("SPDK.md"), StandardCharsets.UTF_8);
    String source = "import dev.replicalifecycle.registry.*;\n"
        + "import dev.replicalifecycle.spdk.*;\n"
        + "import dev.replicalifecycle.store.*;\n"
        + "import java.nio.file.Path;\n"
        + "import java.time.Duration;\n"
        + "class Snippet {\n  void run() {\n" + snippet(markdown) + "\n  }\n}\n";
    String classpath = Stream.of(JsonRpcClient.class, JsonNode.class, JsonParser.class,
            JsonProperty.class)
        .map(c -> Path.of(toUri(c)).toString())
        .collect(Collectors.joining(java.io.File.pathSeparator));
    Path out = Files.createDirectories(base.resolve("target/snippet-classes"));
    JavaFileObject file = new SimpleJavaFileObject(
        URI.create("string:///Snippet.java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    StringWriter messages = new StringWriter();
    boolean ok = javac.getTask(messages, null, null,
        List.of("-classpath", classpath, "-d", out.toString(), "-Xlint:none"), null,
        List.of(file)).call();
    assertTrue(ok, () -> "SPDK.md's snippet does not compile:\n" + messages + "\n" + source);
  }

  private static URI toUri(Class<?> c) {
    try {
      return c.getProtectionDomain().getCodeSource().getLocation().toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
