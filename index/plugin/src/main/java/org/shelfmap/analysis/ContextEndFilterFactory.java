package org.shelfmap.analysis;

import org.apache.lucene.analysis.FilteringTokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** Drops the tokens of the context {@link ContextCharFilterFactory} appends. */
@NamedComponent("shelfmap_korean_context_end")
public class ContextEndFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new FilteringTokenFilter(tokenStream) {
            private final OffsetAttribute offsets = addAttribute(OffsetAttribute.class);

            @Override
            protected boolean accept() {
                return offsets.endOffset() > offsets.startOffset();
            }
        };
    }
}
