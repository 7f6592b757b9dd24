/** pdfkit's standard-font metrics (pdfkit ≥ 0.20), one module per font, for `registerStdFonts`. */
declare module "pdfkit/standard-fonts/*" {
  const font: { readonly name: string };
  export default font;
}
