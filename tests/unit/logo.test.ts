import { describe, expect, it } from 'vitest'
import { verifyLogo } from '../../src/content/logo.ts'
import { makeJpeg, makePng, makeWebp } from '../images.ts'

// Issue 21, items 3 and 11: an SVG logo is read by a namespace-aware XML parser against an
// allow-list (prefixes resolved, CSS escapes decoded); a raster logo is read through to its end.

const SVG_NS = 'http://www.w3.org/2000/svg'
const svg = (body: string, attributes = '') =>
  Buffer.from(`<svg xmlns="${SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"${attributes}>${body}</svg>`)
const problem = (bytes: Buffer) => verifyLogo(bytes).problem

describe('SVG logos: the bypasses of the regex check are refused', () => {
  it.each([
    ['a script with a prefix bound to SVG', `<s:script xmlns:s="${SVG_NS}">alert(1)</s:script>`, /holds a <s:script> element/],
    [
      'a script in the XHTML namespace',
      '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>',
      /holds a <h:script> element of the namespace http:\/\/www\.w3\.org\/1999\/xhtml/,
    ],
    ['foreignObject with a prefix', `<z:foreignObject xmlns:z="${SVG_NS}"><p>x</p></z:foreignObject>`, /holds a <z:foreignObject> element/],
    ['foreignobject in lower case (an unknown element)', '<foreignobject/>', /holds a <foreignobject> element/],
    [
      'an XLink href under another prefix',
      '<image x:href="http://127.0.0.1:9/x.png" xmlns:x="http://www.w3.org/1999/xlink"/>',
      /refers to "http:\/\/127\.0\.0\.1:9\/x\.png" \(x:href on <image>\)/,
    ],
    [
      'a url() hidden by a CSS escape in an attribute',
      '<rect style="fill:u\\72 l(http://example.com/p)"/>',
      /refers to "http:\/\/example\.com\/p" \(url\(…\)\).*\(style on <rect>\)/,
    ],
    ['a url() hidden by escapes in a presentation attribute', '<rect fill="\\75\\72\\6c(http://example.com/p)"/>', /refers to "http:\/\/example\.com\/p"/],
    ['a url() split by a comment', '<style>rect { fill: u/**/rl(http://example.com/p) }</style>', /uses the at-rule|refers to|url/],
    ['a url() in a character reference', '<rect fill="&#117;rl(http://example.com/p)"/>', /refers to "http:\/\/example\.com\/p"/],
    [
      'a url() in CDATA',
      '<style><![CDATA[rect { fill: url(http://example.com/p) }]]></style>',
      /refers to "http:\/\/example\.com\/p" \(url\(…\)\).*\(in <style>\)/,
    ],
    ['@import behind an escape', '<style>@\\69mport "x.css";</style>', /imports a stylesheet \(@import\)/],
    ['@font-face', '<style>@font-face { font-family: x; src: local(x) }</style>', /uses the at-rule @font-face/],
    ['expression()', '<rect style="width: expression(alert(1))"/>', /uses expression\(\)/],
    ['image-set() with a string', '<style>svg { background: image-set("http://example.com/x.png" 1x) }</style>', /uses image-set\(\)/],
    ['an element inside <style>', '<style>rect {}<g/>@import "x.css";</style>', /holds an element \(<g>\) inside <style>/],
    ['<use> of another file', '<use href="other.svg#x"/>', /refers to "other\.svg#x" \(href on <use>\); a logo may refer only to its own parts \(#id\)/],
    ['<use> of a data: image', '<use href="data:image/png;base64,AAAA"/>', /refers to "data:image\/png;base64,AAAA" \(href on <use>\)/],
    ['an onload attribute', '<rect onload="alert(1)"/>', /has an event attribute \(onload on <rect>\)/],
    [
      'an event attribute in another namespace',
      '<rect h:onclick="alert(1)" xmlns:h="http://www.w3.org/1999/xhtml"/>',
      /has an event attribute \(h:onclick on <rect>\)/,
    ],
    [
      'an event attribute on an editor element',
      '<inkscape:x xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" onbegin="alert(1)"/>',
      /has an event attribute/,
    ],
    ['an attribute off the allow-list', '<rect xml:base="http://example.com/"/>', /has an attribute a logo may not have \(xml:base on <rect>/],
    ['a link', '<a href="#x"><rect/></a>', /holds a <a> element/],
    ['an animated style', '<rect><set attributeName="style" to="fill:red"/></rect>', /animates a reference or style/],
    ['an animated href under a prefix', '<use href="#a"><set attributeName="xlink:href" to="#b"/></use>', /animates a reference or style/],
    [
      'an animation whose values hold a url()',
      '<rect><animate attributeName="fill" values="url(http://example.com/p)"/></rect>',
      /refers to "http:\/\/example\.com\/p"/,
    ],
  ])('%s', (_, body, message) => {
    expect(problem(svg(body))).toMatch(/^is an SVG image that /)
    expect(problem(svg(body))).toMatch(message)
  })

  it.each([
    ['an entity declaration', `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="${SVG_NS}">&a;</svg>`, /declares XML entities/],
    [
      'an attribute list declaration',
      `<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]><svg xmlns="${SVG_NS}"/>`,
      /declares XML entities or other definitions/,
    ],
    ['a DOCTYPE of another kind', `<!DOCTYPE html><svg xmlns="${SVG_NS}"/>`, /has a <!DOCTYPE html> that is not SVG's/],
    ['an undeclared entity', `<svg xmlns="${SVG_NS}">&x;</svg>`, /is not well-formed XML/],
    [
      'a stylesheet processing instruction',
      `<?xml-stylesheet href="http://example.com/x.css"?><svg xmlns="${SVG_NS}"/>`,
      /holds a processing instruction \(<\?xml-stylesheet …\?>\)/,
    ],
    ['an encoding other than UTF-8', `<?xml version="1.0" encoding="ISO-2022-JP"?><svg xmlns="${SVG_NS}"/>`, /declares the encoding "ISO-2022-JP"/],
    ['no SVG namespace', '<svg><rect/></svg>', /has the root element <svg> without the SVG namespace/],
    ['an HTML page around an svg', `<html><body><svg xmlns="${SVG_NS}"/></body></html>`, /has the root element <html>/],
    ['an unclosed element', `<svg xmlns="${SVG_NS}"><g></svg>`, /is not well-formed XML/],
    ['an unbound prefix', `<svg xmlns="${SVG_NS}"><q:rect/></svg>`, /is not well-formed XML/],
    ['text after the root', `<svg xmlns="${SVG_NS}"/><script>alert(1)</script>`, /is not well-formed XML/],
    ['invalid UTF-8', Buffer.concat([Buffer.from(`<svg xmlns="${SVG_NS}"><title>`), Buffer.from([0xe9]), Buffer.from('</title></svg>')]), /is not valid UTF-8/],
  ])('refuses %s', (_, text, message) => {
    expect(problem(typeof text === 'string' ? Buffer.from(text) : text)).toMatch(message)
  })

  it('accepts what editors write: the SVG 1.1 DOCTYPE, XML declaration, Inkscape data, CDATA styles, escapes of plain letters', () => {
    const file = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Created with Inkscape -->
<svg xmlns="${SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
  xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" width="64" height="64" version="1.1" inkscape:version="1.3" sodipodi:docname="logo.svg">
  <sodipodi:namedview id="nv" pagecolor="#ffffff" inkscape:zoom="1"/>
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format><cc:license rdf:resource="http://creativecommons.org/licenses/by/4.0/"/></cc:Work></rdf:RDF></metadata>
  <style><![CDATA[ .a { fill: url(#g); font-family: "Source Sans 3" } @media print { .a { fill: #000 } } ]]></style>
  <defs><linearGradient id="g" gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="#8f1d21"/></linearGradient>
  <filter id="f"><feGaussianBlur stdDeviation="1"/></filter></defs>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" transform="translate(1 1)" filter="url( '#f' )">
    <path class="a" d="M0 0h10v10z" data-name="kotak" style="fill:\\23 8f1d21"/>
    <image xlink:href="data:image/png;base64,AAAA" width="1" height="1"/>
    <text xml:space="preserve" font-size="4">KPU &amp; &#x1F5F3;</text>
  </g>
</svg>`
    expect(verifyLogo(Buffer.from(file))).toEqual({ mime: 'image/svg+xml' })
    expect(verifyLogo(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), svg('<rect/>')]))).toEqual({ mime: 'image/svg+xml' })
  })
})

describe('raster logos are read through to their end', () => {
  it('accepts real PNG, JPEG and WebP files', () => {
    expect(verifyLogo(makePng(100, 40))).toEqual({ mime: 'image/png' })
    expect(verifyLogo(makeJpeg(100, 40))).toEqual({ mime: 'image/jpeg' })
    expect(verifyLogo(makeWebp(100, 40))).toEqual({ mime: 'image/webp' })
  })

  it('an HTML page in a RIFF/WEBP header is not described as a size', () => {
    const html = Buffer.from('<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>')
    const riff = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), html])
    riff.writeUInt32LE(riff.length - 8, 4)
    const verdict = problem(riff)
    expect(verdict).toMatch(/^is not a WEBP image ortug can show: it /)
    expect(verdict).not.toMatch(/pixels/)
  })

  it('a PNG whose data is far larger than its 100 × 100 header', () => {
    const pixels = Buffer.alloc(2000 * (1 + 2000))
    expect(problem(makePng(100, 100, { pixels }))).toMatch(/holds more pixel data than its header's 100 × 100 pixels/)
    expect(problem(makePng(100, 100, { pixels: Buffer.alloc(50 * 101) }))).toMatch(/holds less pixel data than its header's 100 × 100 pixels/)
  })

  it('a truncated PNG, a damaged chunk, bytes after the end', () => {
    const png = makePng(50, 50)
    expect(problem(png.subarray(0, png.length - 20))).toMatch(/^is not a PNG image ortug can show: it is cut short/)
    const damaged = Buffer.from(png)
    damaged[45] = (damaged[45] as number) ^ 0xff
    expect(problem(damaged)).toMatch(/is damaged \(the checksum of its "IDAT" chunk is wrong\)/)
    expect(problem(makePng(50, 50, { after: Buffer.from('<html><script>alert(1)</script></html>') }))).toMatch(/has 38 bytes after its end \(IEND\)/)
  })

  it('a JPEG followed by HTML, and a JPEG cut short', () => {
    expect(problem(makeJpeg(10, 10, { after: Buffer.from('<html><script>alert(1)</script></html>') }))).toMatch(
      /^is not a JPEG image ortug can show: it has 38 bytes after its end marker/,
    )
    const jpeg = makeJpeg(10, 10)
    expect(problem(jpeg.subarray(0, jpeg.length - 2))).toMatch(/is cut short \(its end marker, FFD9, is missing\)/)
    expect(problem(jpeg.subarray(0, 20))).toMatch(/is cut short/)
  })

  it('a WebP whose container is larger than the file, or whose image disagrees with its header', () => {
    const webp = makeWebp(20, 20)
    expect(problem(webp.subarray(0, webp.length - 4))).toMatch(/is cut short \(its RIFF size is larger than the file\)/)
    const other = Buffer.from(webp)
    other.writeUIntLE(40 - 1, 24, 3)
    expect(problem(other)).toMatch(/its header says 40 × 20 pixels, its image is 20 × 20/)
  })
})
