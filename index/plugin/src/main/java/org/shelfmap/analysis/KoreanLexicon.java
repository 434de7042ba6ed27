package org.shelfmap.analysis;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import org.apache.lucene.analysis.ko.POS;
import org.apache.lucene.analysis.ko.dict.KoMorphData;
import org.apache.lucene.analysis.ko.dict.TokenInfoDictionary;
import org.apache.lucene.analysis.morph.Dictionary;
import org.apache.lucene.store.InputStreamDataInput;
import org.apache.lucene.util.IntsRef;
import org.apache.lucene.util.fst.FST;
import org.apache.lucene.util.fst.IntsRefFSTEnum;
import org.apache.lucene.util.fst.PositiveIntOutputs;

/**
 * What shelfmap knows about Sino-Korean words, read once from nori's own dictionary
 * (mecab-ko-dic, bundled in lucene-analysis-nori): no other word list is shipped.
 *
 * <ul>
 *   <li>{@link #hanjaWord}: the Hangul reading of a Hanja word (歷史 → 력사, 經濟 → 경제),
 *       from the dictionary's Hanja entries whose reading has one syllable per character;</li>
 *   <li>{@link #reading(char)}: the reading of one Hanja character: the dictionary's
 *       single-character entry, else the reading it has most often inside words (where
 *       the initial-sound rule never applies, so the original sound: 勞 → 로);</li>
 *   <li>{@link #southern}: the South Korean spelling of a Sino-Korean word written with its
 *       original initial sound, as North Korean orthography writes it (력사 → 역사, 로동 →
 *       노동, 리론 → 이론). Only words the dictionary knows in Hanja are listed, so a word
 *       that merely starts with ㄹ (라디오, 로봇) is never changed.</li>
 * </ul>
 */
final class KoreanLexicon {

    private static final String FST_RESOURCE = "TokenInfoDictionary$fst.dat";

    private final Map<String, String> hanjaWords = new HashMap<>();
    private final Map<String, String> southern = new HashMap<>();
    private final char[] readings = new char[0x10000];
    private int longestHanjaWord;
    private int longestNorthern;

    private static final class Holder {
        static final KoreanLexicon INSTANCE = load();
    }

    static KoreanLexicon get() {
        return Holder.INSTANCE;
    }

    private KoreanLexicon() {}

    private static KoreanLexicon load() {
        try {
            KoreanLexicon lexicon = new KoreanLexicon();
            lexicon.read();
            return lexicon;
        } catch (IOException e) {
            throw new UncheckedIOException("nori's dictionary could not be read", e);
        }
    }

    static boolean isHanja(char c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)
            || (c >= 0xF900 && c <= 0xFAFF);
    }

    private static boolean allHanja(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (!isHanja(word.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allSyllables(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (!InitialSound.isSyllable(word.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private void read() throws IOException {
        TokenInfoDictionary dictionary = TokenInfoDictionary.getInstance();
        KoMorphData morph = (KoMorphData) ((Dictionary<?>) dictionary).getMorphAttributes();
        FST<Long> fst;
        try (InputStream raw = TokenInfoDictionary.class.getResourceAsStream(FST_RESOURCE)) {
            if (raw == null) {
                throw new IOException(FST_RESOURCE + " is missing from lucene-analysis-nori");
            }
            InputStreamDataInput in = new InputStreamDataInput(new BufferedInputStream(raw));
            fst = new FST<>(FST.readMetadata(in, PositiveIntOutputs.getSingleton()), in);
        }
        // Per character: how often each reading is seen inside words (position > 0).
        Map<Character, Map<Character, Integer>> inside = new HashMap<>();
        IntsRefFSTEnum<Long> entries = new IntsRefFSTEnum<>(fst);
        IntsRef ids = new IntsRef();
        IntsRefFSTEnum.InputOutput<Long> entry;
        while ((entry = entries.next()) != null) {
            if (entry.input.length == 0 || !isHanja((char) entry.input.ints[entry.input.offset])) {
                continue;
            }
            char[] chars = new char[entry.input.length];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) entry.input.ints[entry.input.offset + i];
            }
            String word = new String(chars);
            if (!allHanja(word)) {
                continue;
            }
            dictionary.lookupWordIds(entry.output.intValue(), ids);
            String reading = null;
            for (int k = 0; k < ids.length && reading == null; k++) {
                int id = ids.ints[ids.offset + k];
                String candidate = morph.getReading(id);
                boolean noun = morph.getLeftPOS(id) == POS.Tag.NNG || morph.getLeftPOS(id) == POS.Tag.NNP;
                if (candidate != null && candidate.length() == word.length()
                        && allSyllables(candidate) && (noun || k == ids.length - 1)) {
                    reading = candidate;
                }
            }
            if (reading == null) {
                continue;
            }
            if (word.length() == 1) {
                if (readings[word.charAt(0)] == 0) {
                    readings[word.charAt(0)] = reading.charAt(0);
                }
                continue;
            }
            hanjaWords.put(word, reading);
            longestHanjaWord = Math.max(longestHanjaWord, word.length());
            for (int i = 1; i < word.length(); i++) {
                inside.computeIfAbsent(word.charAt(i), c -> new HashMap<>())
                    .merge(reading.charAt(i), 1, Integer::sum);
            }
        }
        for (Map.Entry<Character, Map<Character, Integer>> seen : inside.entrySet()) {
            if (readings[seen.getKey()] == 0) {
                readings[seen.getKey()] = seen.getValue().entrySet().stream()
                    .max(Map.Entry.comparingByValue()).get().getKey();
            }
        }
        for (Map.Entry<String, String> word : hanjaWords.entrySet()) {
            String reading = word.getValue();
            char original = readings[word.getKey().charAt(0)];
            // The dictionary writes some readings with the rule applied (勞動 노동) and some
            // without (歷史 력사); the first character's own reading gives the original sound.
            if (original != 0 && InitialSound.atWordStart(original)
                    == InitialSound.atWordStart(reading.charAt(0))) {
                addNorthern(original + reading.substring(1));
            }
            addNorthern(reading);
        }
    }

    private void addNorthern(String written) {
        String south = InitialSound.atWordStart(written);
        if (!south.equals(written)) {
            southern.putIfAbsent(written, south);
            longestNorthern = Math.max(longestNorthern, written.length());
        }
    }

    /** The Hangul reading of a Hanja word the dictionary knows, else null. */
    String hanjaWord(String word) {
        return hanjaWords.get(word);
    }

    int longestHanjaWord() {
        return longestHanjaWord;
    }

    /** The Hangul reading of one Hanja character (its original sound), else 0. */
    char reading(char hanja) {
        return readings[hanja];
    }

    /** The South Korean spelling of a word written with its original initial sound, else null. */
    String southern(String word) {
        return southern.get(word);
    }

    int longestNorthern() {
        return longestNorthern;
    }

    int hanjaWordCount() {
        return hanjaWords.size();
    }

    int northernCount() {
        return southern.size();
    }
}
