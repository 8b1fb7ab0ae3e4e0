package dev.replicalifecycle.modelcheck.itf;

/**
 * Malformed or unsupported TLA+ value text. The message names the position (line, column and
 * offset) and what was found there. Immutable.
 */
public final class TlaValueParseException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int offset;
    private final int line;
    private final int column;

    TlaValueParseException(String message, int offset, int line, int column) {
        super(message);
        this.offset = offset;
        this.line = line;
        this.column = column;
    }

    /** @return zero-based character offset of the error in the parsed text */
    public int offset() {
        return offset;
    }

    /** @return one-based line of the error */
    public int line() {
        return line;
    }

    /** @return one-based column of the error */
    public int column() {
        return column;
    }
}
