package io.sitepair.ops.config;

import java.util.Collection;

/** "Did you mean" for misspelt keys: the closest known key, if it is only a typo away. */
final class Suggestions {
    private Suggestions() {}

    /** The known key {@code word} is a typo of, or null if none is close. */
    static String nearest(String word, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(word, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        // One typo in a short key, two in a longer one: "geust" finds guest, "foo" does not find "pair". A word
        // with every letter replaced is no typo: site "c" is not site "a" misspelt.
        int allowed = best == null ? -1 : best.length() <= 4 ? 1 : 2;
        return bestDistance <= allowed && bestDistance < Math.max(word.length(), best.length()) ? best : null;
    }

    /** Edits (insert, delete, replace, swap two neighbours) that turn a into b: optimal string alignment. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
