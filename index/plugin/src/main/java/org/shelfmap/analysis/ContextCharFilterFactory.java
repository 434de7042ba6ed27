package org.shelfmap.analysis;

import java.io.Reader;

import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.CharFilterFactory;

/**
 * Gives the tokenizer the context a sentence gives it. A query, and sometimes a title,
 * is a noun phrase cut short ({@code 한국의}, {@code 연구의}); at the end of the text nori
 * reads a final genitive as part of a noun (한 + 국의), because a genitive must be
 * followed by a noun. This appends a space and a noun ({@value #CONTEXT}); its tokens
 * come out with no width at the end of the text, and {@link ContextEndFilterFactory}
 * drops them. Used at index and at query time alike, so both read a text the same way.
 */
@NamedComponent("shelfmap_korean_context")
public class ContextCharFilterFactory implements CharFilterFactory {

    static final String CONTEXT = " 책";

    @Override
    public Reader create(Reader reader) {
        return new RewritingCharFilter(reader) {
            @Override
            protected String rewrite(String input) {
                return input.isBlank() ? input : input + CONTEXT;
            }
        };
    }
}
