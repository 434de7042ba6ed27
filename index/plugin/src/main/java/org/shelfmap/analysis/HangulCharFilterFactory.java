package org.shelfmap.analysis;

import java.io.Reader;

import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.CharFilterFactory;

/**
 * Writes Korean text as South Korean Hangul before it is tokenized, so that Hanja, North
 * Korean and South Korean spellings of one word are analysed as the same word:
 *
 * <ul>
 *   <li>Hanja become their Hangul reading, word by word where nori's dictionary knows the
 *       word (經濟 → 경제), character by character otherwise, with the initial-sound rule
 *       at the start of each word (歷史 → 역사, 理論 → 이론, 勞動黨 → 노동당);</li>
 *   <li>a word that starts with a Sino-Korean word in its original initial sound, as North
 *       Korean orthography writes it, takes the South's spelling (력사의 → 역사의,
 *       로동자 → 노동자).</li>
 * </ul>
 *
 * Every character is replaced by one character, so offsets are unchanged.
 */
@NamedComponent("shelfmap_korean_hangul")
public class HangulCharFilterFactory implements CharFilterFactory {

    @Override
    public Reader create(Reader reader) {
        return new RewritingCharFilter(reader) {
            @Override
            protected String rewrite(String input) {
                return Hangul.southern(Hangul.fromHanja(input, KoreanLexicon.get()), KoreanLexicon.get());
            }
        };
    }

    @Override
    public Reader normalize(Reader reader) {
        return create(reader);
    }
}
