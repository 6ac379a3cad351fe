/**
 * An SVG document (timelineSvg's) rasterised to a PNG, in the browser: the
 * browser's own SVG renderer draws it into a canvas, so the PNG looks like
 * the file. Browser only; the page's CSP allows the blob: image this needs.
 */

/** Resolves once the image at `url` has loaded; rejects with a readable Error if it cannot be decoded. */
function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('svgToPng: the browser could not load the SVG as an image (is it well-formed, with width and height?)'));
    image.src = url;
  });
}

/**
 * The SVG as a PNG at `scale` device pixels per SVG pixel (the screen's
 * devicePixelRatio by default, so it is as sharp as the page).
 */
export async function svgToPng(svg: string, scale?: number): Promise<Blob> {
  const ratio = scale !== undefined && scale > 0 ? scale : window.devicePixelRatio || 1;
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const image = await loadImage(url);
    const width = image.naturalWidth || image.width;
    const height = image.naturalHeight || image.height;
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.max(1, Math.round(height * ratio));
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('svgToPng: no 2D canvas context');
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => {
      // null when the canvas is too large for the browser to encode.
      canvas.toBlob((blob) => (blob === null ? reject(new Error(`svgToPng: could not encode a ${canvas.width}×${canvas.height} PNG`)) : resolve(blob)), 'image/png');
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}
