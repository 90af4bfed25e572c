// Words of Indonesian text: counting them (the word targets of a slide) and their stems (which
// sentences talk about the same thing, for notes and key sentences). Pure.

/**
 * Words too common to tell two sentences apart: function words of Indonesian (conjunctions,
 * prepositions, pronouns, auxiliaries, particles) and a few English ones for loanword-heavy text.
 */
export const STOPWORDS = new Set(
  `yang dan dari dalam untuk dengan atau akan pada juga bukan hanya adalah harus seorang sebagai serta
  oleh bagi para tersebut sebuah dapat agar karena ketika maka namun melainkan bahwa menjadi yaitu yakni
  ini itu ada tidak telah sudah masih sedang belum pun lah kah nya kami kita kamu anda mereka dia ia saya
  setiap semua seluruh banyak lebih sangat secara antara lain meliputi terhadap kepada sebelum sesudah
  setelah selama sampai hingga jika apabila bila kalau supaya sehingga tetapi tapi sedangkan walaupun
  meskipun meski juga pula saja sendiri lagi begitu demikian hal sama tiap beberapa suatu satu dua tiga
  the and with this that from for are was were have has been into their they them which what when where`
    .split(/\s+/)
    .filter(Boolean),
)

const RE_WORD = /[\p{L}\p{N}][\p{L}\p{N}'’.,%-]*/gu

/** Words as a reader counts them: "2,5", "No." and "e-KTP" are one word each; punctuation alone is none. */
export function countWords(text: string): number {
  return text.match(RE_WORD)?.length ?? 0
}

/** Word stems of a text: lowercase, four letters or more, the first six letters, without stopwords. */
export function stems(text: string): Set<string> {
  const words = text.toLowerCase().match(/\p{L}[\p{L}\p{N}-]*/gu) ?? []
  return new Set(words.filter((w) => w.length >= 4 && !STOPWORDS.has(w)).map((w) => w.slice(0, 6)))
}
