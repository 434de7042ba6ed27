package org.shelfmap.analysis;

/**
 * The initial-sound rule (두음법칙) of South Korean orthography, on Hangul syllables.
 *
 * <p>At the start of a word a Sino-Korean syllable drops or softens its initial consonant:
 * 녀, 뇨, 뉴, 니 become 여, 요, 유, 이 (rule 10); 랴, 려, 례, 료, 류, 리 become 야, 여, 예,
 * 요, 유, 이 (rule 11); any other syllable in ㄹ takes ㄴ: 라, 로, 루, 르 become 나, 노, 누,
 * 느 (rule 12). North Korean orthography keeps the original sound (력사, 로동, 리론, 녀성),
 * which is what this rule turns into the South's 역사, 노동, 이론, 여성.
 */
final class InitialSound {

    private static final int BASE = 0xAC00;
    private static final int LAST = 0xD7A3;
    private static final int VOWELS = 21;
    private static final int FINALS = 28;
    private static final int NIEUN = 2;
    private static final int RIEUL = 5;
    private static final int IEUNG = 11;
    // Medial vowels ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ: the y-vowels and i, before which the consonant drops.
    private static final boolean[] DROPS = new boolean[VOWELS];

    static {
        for (int vowel : new int[] {2, 3, 6, 7, 12, 17, 20}) {
            DROPS[vowel] = true;
        }
    }

    private InitialSound() {}

    static boolean isSyllable(char c) {
        return c >= BASE && c <= LAST;
    }

    /** The syllable as it is written at the start of a word; unchanged if the rule does not apply. */
    static char atWordStart(char syllable) {
        if (!isSyllable(syllable)) {
            return syllable;
        }
        int index = syllable - BASE;
        int initial = index / (VOWELS * FINALS);
        int vowel = (index / FINALS) % VOWELS;
        int fin = index % FINALS;
        int changed;
        if (initial == NIEUN && DROPS[vowel] && vowel != 2 && vowel != 3) {
            changed = IEUNG;           // 녀 -> 여, 뇨 -> 요, 뉴 -> 유, 니 -> 이 (and 녜 -> 예)
        } else if (initial == RIEUL) {
            changed = DROPS[vowel] ? IEUNG : NIEUN;  // 려 -> 여, 리 -> 이; 로 -> 노, 라 -> 나
        } else {
            return syllable;
        }
        return (char) (BASE + (changed * VOWELS + vowel) * FINALS + fin);
    }

    /** True when the rule changes this syllable at the start of a word. */
    static boolean applies(char syllable) {
        return atWordStart(syllable) != syllable;
    }

    /** The word with the rule applied to its first syllable. */
    static String atWordStart(String word) {
        if (word.isEmpty()) {
            return word;
        }
        char first = atWordStart(word.charAt(0));
        return first == word.charAt(0) ? word : first + word.substring(1);
    }
}
