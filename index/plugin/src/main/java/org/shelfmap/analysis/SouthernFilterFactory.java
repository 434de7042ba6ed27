package org.shelfmap.analysis;

import java.io.IOException;

import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * A token that is a Sino-Korean word in its original initial sound (North Korean
 * orthography: 로동, 력사) becomes its South Korean spelling (노동, 역사). It catches the
 * words nori finds inside compounds (조선로동당 → 조선, 로동, 당), which
 * {@link HangulCharFilterFactory} leaves alone because they do not start a written word.
 */
@NamedComponent("shelfmap_korean_southern")
public class SouthernFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        KoreanLexicon lexicon = KoreanLexicon.get();
        return new TokenFilter(tokenStream) {
            private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

            @Override
            public boolean incrementToken() throws IOException {
                if (!input.incrementToken()) {
                    return false;
                }
                if (term.length() >= 2 && InitialSound.applies(term.charAt(0))) {
                    String south = lexicon.southern(term.toString());
                    if (south != null) {
                        term.setEmpty().append(south);
                    }
                }
                return true;
            }
        };
    }

    @Override
    public TokenStream normalize(TokenStream tokenStream) {
        return create(tokenStream);
    }
}
