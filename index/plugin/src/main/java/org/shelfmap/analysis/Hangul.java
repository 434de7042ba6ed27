package org.shelfmap.analysis;

/** The rewritings of {@link HangulCharFilterFactory}, as pure functions of the text. */
final class Hangul {

    private Hangul() {}

    /** A letter of a word: a Hangul syllable or jamo, a Hanja, or any other letter or digit. */
    private static boolean inWord(char c) {
        return Character.isLetterOrDigit(c);
    }

    /** Hanja as Hangul readings, one syllable per character. */
    static String fromHanja(String text, KoreanLexicon lexicon) {
        char[] out = null;
        int i = 0;
        while (i < text.length()) {
            if (!KoreanLexicon.isHanja(text.charAt(i))) {
                i++;
                continue;
            }
            if (out == null) {
                out = text.toCharArray();
            }
            boolean wordStart = i == 0 || !inWord(text.charAt(i - 1));
            int end = i;
            while (end < text.length() && KoreanLexicon.isHanja(text.charAt(end))) {
                end++;
            }
            while (i < end) {
                int matched = 0;
                String reading = null;
                for (int n = Math.min(lexicon.longestHanjaWord(), end - i); n >= 2; n--) {
                    reading = lexicon.hanjaWord(text.substring(i, i + n));
                    if (reading != null) {
                        matched = n;
                        break;
                    }
                }
                if (matched > 0) {
                    // A word of its own inside a run (朝鮮|勞動|黨) starts a word as well.
                    out[i] = InitialSound.atWordStart(reading.charAt(0));
                    reading.getChars(1, matched, out, i + 1);
                    i += matched;
                } else {
                    char sound = lexicon.reading(text.charAt(i));
                    if (sound != 0) {
                        out[i] = wordStart ? InitialSound.atWordStart(sound) : sound;
                    }
                    i++;
                }
                wordStart = false;
            }
        }
        return out == null ? text : new String(out);
    }

    /** Each word that starts with a northern spelling the lexicon knows, in the South's. */
    static String southern(String text, KoreanLexicon lexicon) {
        char[] out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!InitialSound.applies(c) || (i > 0 && inWord(text.charAt(i - 1)))) {
                continue;
            }
            int wordEnd = i;
            while (wordEnd < text.length() && InitialSound.isSyllable(text.charAt(wordEnd))) {
                wordEnd++;
            }
            for (int n = Math.min(lexicon.longestNorthern(), wordEnd - i); n >= 2; n--) {
                if (lexicon.southern(text.substring(i, i + n)) != null) {
                    if (out == null) {
                        out = text.toCharArray();
                    }
                    out[i] = InitialSound.atWordStart(c);
                    break;
                }
            }
        }
        return out == null ? text : new String(out);
    }
}
