/**
 * Go's float64 formatting (strconv.FormatFloat for 'e', 'f', 'g' and the shortest form fmt's `%v` uses), done on
 * exact decimal digits so rounding is Go's round-half-even on the true binary value. JS's toFixed rounds ties away
 * from zero and toString switches to exponents at 1e21, so neither can stand in.
 */

/** Decimal digits `d` (no leading or trailing zeros) and point position `dp`: value = 0.d × 10^dp. */
interface Decimal {
  d: string;
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: "", dp: 0 };
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (mant << BigInt(e)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e)).toString();
    dp = s.length + e;
  }
  return { d: s.replace(/0+$/, ""), dp };
}

/** The shortest digits that read back as `x` (JS and Go agree on shortest round-trip digits). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: "", dp: 0 };
  const [mant, exp] = x.toExponential().split("e") as [string, string];
  return { d: mant.replace(".", "").replace(/0+$/, ""), dp: Number(exp) + 1 };
}

/** Rounds to `nd` digits, half to even on exact ties, like strconv's decimal.Round. */
function roundTo(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return nd < 0 ? { d: "", dp: 0 } : a;
  const c = a.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (c === 5 && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = c >= 5;
  if (!up) return { d: a.d.slice(0, nd).replace(/0+$/, ""), dp: nd === 0 ? 0 : a.dp };
  let i = nd - 1;
  while (i >= 0 && a.d[i] === "9") i--;
  if (i < 0) return { d: "1", dp: a.dp + 1 };
  return { d: a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), dp: a.dp };
}

function digitAt(a: Decimal, j: number): string {
  return j >= 0 && j < a.d.length ? a.d[j]! : "0";
}

function fmtE(a: Decimal, prec: number, e: "e" | "E"): string {
  let out = a.d.length === 0 ? "0" : a.d[0]!;
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) out += digitAt(a, i);
  }
  const exp = a.d.length === 0 ? 0 : a.dp - 1;
  const abs = Math.abs(exp);
  return `${out}${e}${exp < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
}

function fmtF(a: Decimal, prec: number): string {
  let out = "";
  if (a.dp > 0) for (let i = 0; i < a.dp; i++) out += digitAt(a, i);
  else out = "0";
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) out += digitAt(a, a.dp + i - 1);
  }
  return out;
}

/** Go's 'x' format: `[-]0x1.hhhp±dd`, shortest hex digits when `prec` is -1, else rounded half to even. */
function formatHex(abs: number, prec: number, upper: boolean): string {
  let mant = 0n;
  let exp = 0;
  if (abs !== 0) {
    view.setFloat64(0, abs);
    const bits = view.getBigUint64(0);
    const expBits = Number((bits >> 52n) & 0x7ffn);
    mant = bits & ((1n << 52n) - 1n);
    if (expBits === 0) {
      exp = -1022;
      // Subnormal: shift until the implicit leading one appears.
      while ((mant & (1n << 52n)) === 0n) {
        mant <<= 1n;
        exp--;
      }
      mant &= (1n << 52n) - 1n;
    } else exp = expBits - 1023;
  }
  let lead = abs === 0 ? 0n : 1n;
  let frac = mant.toString(16).padStart(13, "0");
  if (prec >= 0 && prec < 13) {
    const shift = BigInt((13 - prec) * 4);
    let kept = mant >> shift;
    const rest = mant & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    const odd = prec === 0 ? lead === 1n : (kept & 1n) === 1n;
    if (rest > half || (rest === half && odd)) kept++;
    if (kept >> BigInt(prec * 4) === 1n) {
      kept = 0n;
      lead = 2n;
    }
    frac = prec === 0 ? "" : kept.toString(16).padStart(prec, "0");
    if (lead === 2n) {
      lead = 1n;
      exp++;
    }
  } else if (prec < 0) frac = frac.replace(/0+$/, "");
  else frac = frac.padEnd(prec, "0");
  const e = Math.abs(exp);
  const out = `0x${lead}${frac === "" ? "" : "." + frac}p${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`;
  return upper ? out.toUpperCase() : out;
}

/**
 * Formats a double as Go's strconv.FormatFloat(x, verb, prec, 64) for verb e, E, f, F, g, G, x, X; `prec` -1 means
 * the shortest representation (what `%v` uses).
 */
export function formatFloat(x: number, verb: "e" | "E" | "f" | "F" | "g" | "G" | "x" | "X", prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  const neg = x < 0 || Object.is(x, -0);
  const sign = neg ? "-" : "";
  const abs = Math.abs(x);
  const shortest = prec < 0;
  let a: Decimal;
  switch (verb) {
    case "x":
    case "X":
      return sign + formatHex(abs, prec, verb === "X");
    case "e":
    case "E":
      a = shortest ? shortestDecimal(abs) : roundTo(exactDecimal(abs), prec + 1);
      return sign + fmtE(a, shortest ? Math.max(a.d.length - 1, 0) : prec, verb);
    case "f":
    case "F": {
      if (shortest) {
        a = shortestDecimal(abs);
        return sign + fmtF(a, Math.max(a.d.length - a.dp, 0));
      }
      const ex = exactDecimal(abs);
      a = roundTo(ex, ex.dp + prec);
      return sign + fmtF(a, prec);
    }
    default: {
      let p = prec;
      if (shortest) a = shortestDecimal(abs);
      else {
        if (p === 0) p = 1;
        a = roundTo(exactDecimal(abs), p);
      }
      let eprec = p;
      if (shortest) {
        eprec = 6;
        p = a.d.length;
      } else if (eprec > a.d.length && a.d.length >= a.dp) eprec = a.d.length;
      const exp = a.d.length === 0 ? 0 : a.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (p > a.d.length) p = a.d.length;
        return sign + fmtE(a, Math.max(p - 1, 0), verb === "G" ? "E" : "e");
      }
      if (p > a.dp) p = a.d.length;
      return sign + fmtF(a, Math.max(p - a.dp, 0));
    }
  }
}
