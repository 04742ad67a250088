/**
 * A small XML well-formedness checker for the JUnit output (no XML parser is installed): one root, properly nested
 * and closed tags, quoted unique attributes, only the five predefined or numeric entities, no stray "<" or "&",
 * CDATA sections.
 * Returns the elements in document order with their attributes and text, so tests can inspect the tree.
 */

/** An element of the checked document. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
}

const NAME = '[A-Za-z_][A-Za-z0-9_.:-]*';
const ATTRIBUTE_RE = new RegExp(`\\s+(${NAME})\\s*=\\s*"([^"<]*)"`, 'y');
const ENTITY_RE = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;

function decode(text: string, where: number): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '<') throw new Error(`XML: "<" in text or attribute near offset ${where + i}`);
    if (ch !== '&') {
      out += ch;
      continue;
    }
    ENTITY_RE.lastIndex = i;
    const m = ENTITY_RE.exec(text);
    if (!m) throw new Error(`XML: bad entity near offset ${where + i}: ${text.slice(i, i + 10)}`);
    const entity = m[0];
    out +=
      ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" } as Record<string, string>)[
        entity
      ] ?? '?';
    i += entity.length - 1;
  }
  return out;
}

/** Parses `xml`, throwing an Error that says where it is not well-formed; returns the root element. */
export function checkXml(xml: string): XmlElement {
  let pos = 0;
  const declaration = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (declaration) pos = declaration[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const text = xml.slice(pos, lt < 0 ? xml.length : lt);
    if (stack.length === 0) {
      if (text.trim() !== '') throw new Error(`XML: text outside the root at offset ${pos}`);
    } else (stack.at(-1) as XmlElement).text += decode(text, pos);
    if (lt < 0) break;
    pos = lt;
    if (xml.startsWith('<![CDATA[', pos)) {
      // CDATA (junit-report-builder writes failure details and output this way): literal text up to "]]>".
      const close = xml.indexOf(']]>', pos);
      if (close < 0 || stack.length === 0) throw new Error(`XML: bad CDATA section at offset ${pos}`);
      (stack.at(-1) as XmlElement).text += xml.slice(pos + 9, close);
      pos = close + 3;
      continue;
    }
    if (xml.startsWith('</', pos)) {
      const m = new RegExp(`^</(${NAME})\\s*>`).exec(xml.slice(pos));
      if (!m) throw new Error(`XML: bad closing tag at offset ${pos}`);
      const open = stack.pop();
      if (!open || open.name !== m[1])
        throw new Error(`XML: </${m[1]}> closes <${open?.name ?? 'nothing'}> at offset ${pos}`);
      pos += m[0].length;
      continue;
    }
    const m = new RegExp(`^<(${NAME})`).exec(xml.slice(pos));
    if (!m) throw new Error(`XML: bad tag at offset ${pos}`);
    const element: XmlElement = { name: m[1] as string, attributes: {}, text: '', children: [] };
    pos += m[0].length;
    for (;;) {
      ATTRIBUTE_RE.lastIndex = pos;
      const a = ATTRIBUTE_RE.exec(xml);
      if (!a) break;
      const name = a[1] as string;
      if (name in element.attributes) throw new Error(`XML: duplicate attribute ${name} at offset ${pos}`);
      element.attributes[name] = decode(a[2] as string, pos);
      pos = ATTRIBUTE_RE.lastIndex;
    }
    const end = /^\s*(\/?)>/.exec(xml.slice(pos));
    if (!end) throw new Error(`XML: unterminated tag <${element.name}> at offset ${pos}`);
    pos += end[0].length;
    if (stack.length) (stack.at(-1) as XmlElement).children.push(element);
    else if (root) throw new Error(`XML: a second root element <${element.name}>`);
    else root = element;
    if (end[1] !== '/') stack.push(element);
  }
  if (stack.length) throw new Error(`XML: <${(stack.at(-1) as XmlElement).name}> is never closed`);
  if (!root) throw new Error('XML: no root element');
  return root;
}

/** Every element named `name` under (and including) `element`. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  const found = element.name === name ? [element] : [];
  for (const child of element.children) found.push(...findAll(child, name));
  return found;
}
