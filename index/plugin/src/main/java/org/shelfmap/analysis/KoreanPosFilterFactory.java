package org.shelfmap.analysis;

import java.util.EnumSet;
import java.util.Set;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ko.KoreanPartOfSpeechStopFilter;
import org.apache.lucene.analysis.ko.POS;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * Drops the parts of speech a search does not match on: particles, endings, suffixes,
 * punctuation and the like (nori's default stop tags), so that {@code 한국의} and
 * {@code 한국} index and query alike; and words in the Latin alphabet (SL), which the
 * fields analysed as Korean leave to the fields that hold the same text for every
 * language, so that a parallel English title does not count twice.
 */
@NamedComponent("shelfmap_korean_pos")
public class KoreanPosFilterFactory implements TokenFilterFactory {

    static final Set<POS.Tag> STOP_TAGS;

    static {
        EnumSet<POS.Tag> tags = EnumSet.copyOf(KoreanPartOfSpeechStopFilter.DEFAULT_STOP_TAGS);
        tags.add(POS.Tag.SL);
        STOP_TAGS = tags;
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new KoreanPartOfSpeechStopFilter(tokenStream, STOP_TAGS);
    }
}
