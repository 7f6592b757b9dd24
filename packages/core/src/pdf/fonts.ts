import * as pdfkit from "pdfkit";
import Courier from "pdfkit/standard-fonts/Courier";
import CourierBold from "pdfkit/standard-fonts/CourierBold";
import CourierBoldOblique from "pdfkit/standard-fonts/CourierBoldOblique";
import CourierOblique from "pdfkit/standard-fonts/CourierOblique";
import Helvetica from "pdfkit/standard-fonts/Helvetica";
import HelveticaBold from "pdfkit/standard-fonts/HelveticaBold";
import HelveticaBoldOblique from "pdfkit/standard-fonts/HelveticaBoldOblique";
import HelveticaOblique from "pdfkit/standard-fonts/HelveticaOblique";

/**
 * The fonts the renderer uses, registered with pdfkit from its metrics
 * modules. pdfkit's Node build would `require()` them from its own package
 * directory on first use, which does not exist once esbuild folds pdfkit
 * into a Lambda bundle (foliojs/pdfkit#1801); handing it the data keeps the
 * bundle self-contained. `registerStdFonts` is exported from the Node build
 * by patches/pdfkit@0.20.2.patch, as upstream's fix for that issue does.
 */
type StandardFontData = { readonly name: string };
// @types/pdfkit describes pdfkit 0.17, which had no `registerStdFonts`.
const { registerStdFonts } = pdfkit as unknown as { registerStdFonts: (...fonts: StandardFontData[]) => void };

registerStdFonts(Helvetica, HelveticaBold, HelveticaOblique, HelveticaBoldOblique, Courier, CourierBold, CourierOblique, CourierBoldOblique);

export interface FontStyle {
  bold?: boolean;
  italic?: boolean;
  code?: boolean;
}

export function fontOf(style: FontStyle): string {
  const family = style.code ? "Courier" : "Helvetica";
  if (style.bold && style.italic) return `${family}-BoldOblique`;
  if (style.bold) return `${family}-Bold`;
  if (style.italic) return `${family}-Oblique`;
  return family;
}
