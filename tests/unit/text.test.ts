import { describe, expect, it } from 'vitest'
import { packItems, packText, splitSentences } from '../../src/plan/text.ts'

// The sentence splitter and the packing of sentences and items into slide-sized groups.

describe('splitSentences', () => {
  it.each([
    ['', []],
    ['   \n ', []],
    ['Tanpa titik akhir', ['Tanpa titik akhir']],
    ['Satu.  Dua.   Tiga', ['Satu.', 'Dua.', 'Tiga']],
    ['Satu.\nDua.', ['Satu.', 'Dua.']],
    ['Apa? Ya! Tentu.', ['Apa?', 'Ya!', 'Tentu.']],
    ['Benar?! Ya.', ['Benar?!', 'Ya.']],
    // No space after the mark: not a sentence end.
    ['Apakah benar?Ya.', ['Apakah benar?Ya.']],
  ])('%j → %j', (text, sentences) => {
    expect(splitSentences(text)).toEqual(sentences)
  })

  it.each([
    ['Peserta dll. datang. Semua hadir.', ['Peserta dll. datang.', 'Semua hadir.']],
    ['Yth. Bapak Ketua. Hadir.', ['Yth. Bapak Ketua.', 'Hadir.']],
    ['Lihat UU No. 7 Tahun 2017. Pasal 1.', ['Lihat UU No. 7 Tahun 2017.', 'Pasal 1.']],
    ['Jl. Merdeka No. 5 Bandung. Datang.', ['Jl. Merdeka No. 5 Bandung.', 'Datang.']],
    ['Prof. Dr. Ir. H. Ahmad hadir. Ya.', ['Prof. Dr. Ir. H. Ahmad hadir.', 'Ya.']],
    ['Harga Rp. 1.500 naik. Lalu turun.', ['Harga Rp. 1.500 naik.', 'Lalu turun.']],
  ])('Indonesian abbreviations do not end a sentence: %j', (text, sentences) => {
    expect(splitSentences(text)).toEqual(sentences)
  })

  it.each([
    ['Dibuat oleh Dr. Budi, S.H., M.H. kemarin. Benar.', ['Dibuat oleh Dr. Budi, S.H., M.H. kemarin.', 'Benar.']],
    ['a.n. Ketua KPU. Selesai.', ['a.n. Ketua KPU.', 'Selesai.']],
  ])('dotted initials and degrees do not end a sentence: %j', (text, sentences) => {
    expect(splitSentences(text)).toEqual(sentences)
  })

  it.each([
    ['Ada 3.5 juta pemilih. Banyak!', ['Ada 3.5 juta pemilih.', 'Banyak!']],
    ['Pukul 10.30 WIB. Mulai.', ['Pukul 10.30 WIB.', 'Mulai.']],
    // A number followed by a lowercase word or another number is a list number, not an end.
    ['Nomor 1. pertama 2. kedua', ['Nomor 1. pertama 2. kedua']],
    ['Tahun 2024. 2025 juga.', ['Tahun 2024. 2025 juga.']],
  ])('decimals and numbered lists: %j', (text, sentences) => {
    expect(splitSentences(text)).toEqual(sentences)
  })

  it.each([
    ['Dia berkata, "Pergi." Lalu diam.', ['Dia berkata, "Pergi."', 'Lalu diam.']],
    ['Ia bilang: “Ya!” Lalu pergi.', ['Ia bilang: “Ya!”', 'Lalu pergi.']],
    ['Baris (kurung.) Berikut.', ['Baris (kurung.)', 'Berikut.']],
    ['Kata "ya." lalu.', ['Kata "ya." lalu.']],
  ])('closing quotes and brackets stay with their sentence: %j', (text, sentences) => {
    expect(splitSentences(text)).toEqual(sentences)
  })

  it.each([
    ['Tunggu... Apa? Ya!', ['Tunggu...', 'Apa?', 'Ya!']],
    ['Tunggu... lalu pergi.', ['Tunggu... lalu pergi.']],
    ['Tunggu… Apa?', ['Tunggu…', 'Apa?']],
  ])('ellipses: %j', (text, sentences) => {
    expect(splitSentences(text)).toEqual(sentences)
  })

  it.each([
    [
      'Dilarang mengikutsertakan: a. Ketua Mahkamah Agung; b. Anggota BPK; c. Gubernur; dan k. Warga negara tanpa hak pilih. Lalu selesai.',
      ['Dilarang mengikutsertakan: a. Ketua Mahkamah Agung; b. Anggota BPK; c. Gubernur; dan k. Warga negara tanpa hak pilih.', 'Lalu selesai.'],
    ],
    ['Langkahnya: 1. Menyusun; 2. Menetapkan; dan 3. Melapor. Ya.', ['Langkahnya: 1. Menyusun; 2. Menetapkan; dan 3. Melapor.', 'Ya.']],
    // A number after a comma or "dan" ends a series, and the sentence.
    ['Kursinya 3, 4, dan 5. Selanjutnya rapat.', ['Kursinya 3, 4, dan 5.', 'Selanjutnya rapat.']],
    ['Nilainya B. Lalu pulang.', ['Nilainya B.', 'Lalu pulang.']],
    // Words and numbers that only look like a marker: "dana", "Dani", a time, a score.
    ['Itu sumber dana. Laporan menyusul.', ['Itu sumber dana.', 'Laporan menyusul.']],
    ['Ia memanggil Dani. Dani datang.', ['Ia memanggil Dani.', 'Dani datang.']],
    ['Mulai pukul 09:00. Peserta hadir.', ['Mulai pukul 09:00.', 'Peserta hadir.']],
    ['Skor 3:1. Tim menang.', ['Skor 3:1.', 'Tim menang.']],
  ])("a list's letters and numbers in running text are not sentence ends: %j", (text, sentences) => {
    expect(splitSentences(text)).toEqual(sentences)
  })

  it('a full stop before a lowercase word is not an end', () => {
    expect(splitSentences('Akhir. awal kecil')).toEqual(['Akhir. awal kecil'])
  })

  it('loses no character but the spaces between sentences', () => {
    const text = 'Integritas  adalah   kunci. "Kutipan," katanya. Dr. Budi, S.H. setuju?! Ya… 1.500 orang hadir.'
    const sentences = splitSentences(text)
    expect(sentences.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''))
    for (const sentence of sentences) expect(text).toContain(sentence)
  })
})

describe('packText', () => {
  it('keeps sentences whole and in order, within the budget, balanced across chunks', () => {
    expect(packText(['aaaa.', 'bbbb.', 'cccc.', 'dddd.', 'eeee.'], 12)).toEqual(['aaaa. bbbb.', 'cccc. dddd.', 'eeee.'])
  })

  it('a word longer than the budget gets a chunk of its own and is never cut', () => {
    const long = 'Pertanggungjawabanketatausahaanpemiluxyz'
    expect(packText([long, 'b.', 'c.'], 10)).toEqual([long, 'b. c.'])
  })

  // Without the marks and the spaces, the chunks are the sentences.
  const unmarked = (chunks: string[]) => chunks.map((chunk) => chunk.replace(/^… | …$/g, '')).join(' ')

  it('a sentence longer than the budget is cut after its clauses, each cut marked "…", nothing else changed', () => {
    const clauses = Array.from({ length: 12 }, (_, i) => `klausa nomor ${i + 1} yang cukup panjang untuk dibaca`)
    const sentence = `${clauses.join(', ')}.`
    const chunks = packText(['Awal.', sentence, 'Akhir.'], 150)
    expect(chunks.length).toBeGreaterThan(3)
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(150)
    expect(unmarked(chunks)).toBe(`Awal. ${sentence} Akhir.`)
    // Every cut is after a clause's comma, and both sides of it say so.
    for (const [i, chunk] of chunks.entries()) {
      if (i < chunks.length - 1) expect(chunk).toMatch(/, …$/)
      if (i > 0) expect(chunk).toMatch(/^… /)
    }
  })

  it('a clause longer than the budget is cut between words', () => {
    const sentence = `${Array.from({ length: 60 }, (_, i) => `kata${i}`).join(' ')}.`
    const chunks = packText([sentence], 100)
    expect(chunks.length).toBe(Math.ceil(sentence.length / 95))
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(100)
    expect(unmarked(chunks)).toBe(sentence)
    expect(chunks.every((chunk) => !/kata\d+kata/.test(chunk))).toBe(true)
  })

  it("a cut after the author's own ellipsis is not marked again", () => {
    const sentence = `${Array.from({ length: 60 }, (_, i) => `kata${i}…`).join(' ')} selesai.`
    const chunks = packText([sentence], 100)
    expect(chunks.length).toBeGreaterThan(2)
    expect(chunks.filter((chunk) => /… …$/.test(chunk))).toEqual([])
    expect(unmarked(chunks)).toBe(sentence)
  })

  it('everything fits: one chunk; nothing: no chunk', () => {
    expect(packText(['Satu.', 'Dua.'], 650)).toEqual(['Satu. Dua.'])
    expect(packText([], 650)).toEqual([])
  })
})

describe('packItems', () => {
  it('uses as few groups as greedy packing, spread evenly', () => {
    // Greedy would give 7 + 1; balanced gives 4 + 4.
    expect(packItems([1, 2, 3, 4, 5, 6, 7, 8], () => 1, 7)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ])
  })

  it('an item heavier than the budget stands alone; order is kept', () => {
    expect(packItems([5, 1, 1, 1, 1, 1], (x) => x, 6)).toEqual([[5], [1, 1, 1, 1, 1]])
    expect(packItems([9, 1], (x) => x, 6)).toEqual([[9], [1]])
  })

  it('no items: no groups', () => {
    expect(packItems([], () => 1, 7)).toEqual([])
  })
})
