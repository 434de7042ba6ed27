package org.shelfmap.analysis;

import java.io.IOException;
import java.io.Reader;

import org.apache.lucene.analysis.CharFilter;

/**
 * A char filter that reads its whole input, rewrites it once and serves the result.
 * Offsets past the end of the input (text a subclass appends) map to the input's end.
 */
abstract class RewritingCharFilter extends CharFilter {

    private char[] text;
    private int inputLength;
    private int position;

    RewritingCharFilter(Reader input) {
        super(input);
    }

    /** The rewritten text; {@code input} is the whole input. */
    protected abstract String rewrite(String input);

    private void fill() throws IOException {
        if (text != null) {
            return;
        }
        StringBuilder read = new StringBuilder();
        char[] buffer = new char[4096];
        int n;
        while ((n = input.read(buffer)) != -1) {
            read.append(buffer, 0, n);
        }
        inputLength = read.length();
        text = rewrite(read.toString()).toCharArray();
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        fill();
        if (position >= text.length) {
            return -1;
        }
        int n = Math.min(length, text.length - position);
        System.arraycopy(text, position, buffer, offset, n);
        position += n;
        return n;
    }

    @Override
    protected int correct(int offset) {
        return Math.min(offset, inputLength);
    }
}
