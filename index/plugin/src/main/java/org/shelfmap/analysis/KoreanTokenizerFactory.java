package org.shelfmap.analysis;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ko.KoreanTokenizer;
import org.apache.lucene.analysis.ko.KoreanTokenizer.DecompoundMode;
import org.apache.lucene.analysis.ko.dict.UserDictionary;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;
import org.elasticsearch.plugin.settings.StringSetting;

/**
 * Lucene's nori tokenizer: Korean morphological analysis with the mecab-ko-dic dictionary.
 *
 * <p>Settings: {@code decompound_mode} ({@code none}, {@code discard} or {@code mixed}, the
 * default, which keeps a compound and its parts), {@code discard_punctuation} (default
 * true) and {@code user_dictionary_rules} (one entry per rule: a word, optionally followed
 * by its parts, as nori's user dictionary reads them).
 */
@NamedComponent("shelfmap_korean_tokenizer")
public class KoreanTokenizerFactory implements TokenizerFactory {

    @AnalysisSettings
    public interface Settings {
        @StringSetting(path = "decompound_mode", defaultValue = "mixed")
        String decompoundMode();

        @BooleanSetting(path = "discard_punctuation", defaultValue = true)
        boolean discardPunctuation();

        @ListSetting(path = "user_dictionary_rules")
        List<String> userDictionaryRules();
    }

    private final DecompoundMode mode;
    private final boolean discardPunctuation;
    private final UserDictionary userDictionary;

    @Inject
    public KoreanTokenizerFactory(Settings settings) {
        this.mode = decompoundMode(settings.decompoundMode());
        this.discardPunctuation = settings.discardPunctuation();
        this.userDictionary = userDictionary(settings.userDictionaryRules());
    }

    static DecompoundMode decompoundMode(String name) {
        try {
            return DecompoundMode.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "decompound_mode must be none, discard or mixed, not [" + name + "]", e);
        }
    }

    static UserDictionary userDictionary(List<String> rules) {
        if (rules == null || rules.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (String rule : rules) {
            text.append(rule).append('\n');
        }
        try {
            return UserDictionary.open(new StringReader(text.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("user_dictionary_rules could not be read", e);
        }
    }

    @Override
    public Tokenizer create() {
        return new KoreanTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY,
            userDictionary, mode, false, discardPunctuation);
    }
}
