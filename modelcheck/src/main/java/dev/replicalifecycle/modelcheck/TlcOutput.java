package dev.replicalifecycle.modelcheck;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLC's standard output in {@code -tool} mode, split into framed messages
 * ({@code @!@!@STARTMSG code:severity @!@!@ ... @!@!@ENDMSG code @!@!@}) and the text outside
 * any frame (SANY's parser output, for one). Markers are found anywhere in a line, and frames
 * may nest. Immutable.
 *
 * @param messages framed messages in the order they were closed
 * @param unframed lines outside every frame, in order
 */
record TlcOutput(List<TlcMessage> messages, List<String> unframed) {

    /** Message severities TLC uses in {@code -tool} mode. */
    static final int SEVERITY_ERROR = 1;
    static final int SEVERITY_TLC_BUG = 2;

    private static final Pattern MARKER =
            Pattern.compile("@!@!@(?:STARTMSG (\\d+):(\\d+)|ENDMSG (\\d+)) @!@!@");

    TlcOutput {
        messages = List.copyOf(messages);
        unframed = List.copyOf(unframed);
    }

    /**
     * One framed message.
     *
     * @param code     TLC's message code (tlc2.output.EC)
     * @param severity 0 info, 1 error, 2 TLC bug, 3 warning, 4 state
     * @param text     the text between the markers, without the leading and trailing line breaks
     */
    record TlcMessage(int code, int severity, String text) {
        boolean errorSeverity() {
            return severity == SEVERITY_ERROR || severity == SEVERITY_TLC_BUG;
        }
    }

    static TlcOutput parse(String stdout) {
        List<TlcMessage> messages = new ArrayList<>();
        StringBuilder outside = new StringBuilder();
        Deque<int[]> open = new ArrayDeque<>();
        Deque<StringBuilder> bodies = new ArrayDeque<>();
        Matcher m = MARKER.matcher(stdout);
        int last = 0;
        while (m.find()) {
            String between = stdout.substring(last, m.start());
            (bodies.isEmpty() ? outside : bodies.peek()).append(between);
            last = m.end();
            if (m.group(1) != null) {
                open.push(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
                bodies.push(new StringBuilder());
            } else if (!open.isEmpty()) {
                int[] head = open.pop();
                String body = bodies.pop().toString();
                messages.add(new TlcMessage(head[0], head[1], trimBreaks(body)));
            }
        }
        String rest = stdout.substring(last);
        // an unterminated frame (TLC killed mid-message) still counts as text of that message
        while (!open.isEmpty()) {
            int[] head = open.pop();
            messages.add(new TlcMessage(head[0], head[1], trimBreaks(bodies.pop() + rest)));
            rest = "";
        }
        outside.append(rest);
        List<String> lines = new ArrayList<>();
        for (String line : outside.toString().split("\\R")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return new TlcOutput(messages, lines);
    }

    private static String trimBreaks(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == '\n' || s.charAt(start) == '\r')) {
            start++;
        }
        while (end > start && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** @return the messages with this code, in order */
    List<TlcMessage> withCode(int code) {
        List<TlcMessage> out = new ArrayList<>();
        for (TlcMessage msg : messages) {
            if (msg.code() == code) {
                out.add(msg);
            }
        }
        return out;
    }

    /** @return the last message with this code, or null */
    TlcMessage last(int code) {
        TlcMessage found = null;
        for (TlcMessage msg : messages) {
            if (msg.code() == code) {
                found = msg;
            }
        }
        return found;
    }
}
