// A fake camera for the browser. Chromium plays a YUV4MPEG2 clip (.y4m, looped) as the camera
// when launched with --use-file-for-fake-video-capture; the clips are made here from a still
// portrait, with no image library: Chromium decodes the JPEG, the rest is arithmetic.
//
// A "head turn" is the horizontal warp of the server's black-box tests (tests/src/photos.rs,
// `turned`): the output pixel at column x samples the source at
// x - shift * exp(-((x - centre) / spread)^2), rows unchanged. Around the nose this moves the
// nose against the eyes as turning the head does, which is what the liveness check measures.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './browser.mjs';

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

/** The RGBA pixels of a JPEG or PNG, decoded by a page of `browser`. */
export async function readPixels(browser, path) {
  const page = await browser.newPage();
  try {
    const type = /\.png$/i.test(path) ? 'image/png' : 'image/jpeg';
    const src = `data:${type};base64,${readFileSync(path).toString('base64')}`;
    const { width, height, b64 } = await page.evaluate(async (url) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const g = canvas.getContext('2d');
      g.drawImage(img, 0, 0);
      const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
      let bin = '';
      for (let i = 0; i < data.length; i += 0x8000) bin += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
      return { width: canvas.width, height: canvas.height, b64: btoa(bin) };
    }, src);
    return { width, height, rgba: Buffer.from(b64, 'base64') };
  } finally {
    await page.close();
  }
}

const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);

/**
 * One RGB frame (width x height): the `crop` of `src` (default: all of it), turned by `shift`
 * pixels around column `centre` with fall-off `spread` (both in the crop's own pixels, before
 * scaling), scaled to fill the frame's height or width and centred on a plain background.
 */
export function frameOf(src, { crop, centre = 0, shift = 0, spread = 1 }, { width = FRAME_WIDTH, height = FRAME_HEIGHT, fill = 1, background = [118, 124, 130] } = {}) {
  const c = crop ?? { x: 0, y: 0, width: src.width, height: src.height };
  const scale = Math.min(width / c.width, height / c.height) * fill;
  const ox = (width - c.width * scale) / 2;
  const oy = (height - c.height * scale) / 2;
  const rgb = new Uint8Array(width * height * 3);
  const at = (x, y, k) => src.rgba[(y * src.width + x) * 4 + k];
  for (let Y = 0; Y < height; Y++) {
    const v = (Y + 0.5 - oy) / scale - 0.5;
    for (let X = 0; X < width; X++) {
      const o = (Y * width + X) * 3;
      const u = (X + 0.5 - ox) / scale - 0.5;
      if (u < -0.5 || v < -0.5 || u > c.width - 0.5 || v > c.height - 0.5) {
        rgb.set(background, o);
        continue;
      }
      const from = u - shift * Math.exp(-(((u - centre) / spread) ** 2));
      const sx = clamp(c.x + from, c.x, c.x + c.width - 1);
      const sy = clamp(c.y + v, c.y, c.y + c.height - 1);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, src.width - 1);
      const y1 = Math.min(y0 + 1, src.height - 1);
      const tx = sx - x0;
      const ty = sy - y0;
      for (let k = 0; k < 3; k++) {
        const top = at(x0, y0, k) * (1 - tx) + at(x1, y0, k) * tx;
        const bottom = at(x0, y1, k) * (1 - tx) + at(x1, y1, k) * tx;
        rgb[o + k] = Math.round(top * (1 - ty) + bottom * ty);
      }
    }
  }
  return rgb;
}

/** An RGB frame as I420 (Y, then U and V at half resolution), JPEG/BT.601 full range. */
export function toI420(rgb, width, height) {
  if (width % 2 || height % 2) throw new Error('I420 frames need even dimensions');
  const out = Buffer.alloc((width * height * 3) / 2);
  const byte = (v) => clamp(Math.round(v), 0, 255);
  for (let i = 0; i < width * height; i++) {
    out[i] = byte(0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2]);
  }
  const u = width * height;
  const v = u + (width * height) / 4;
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const o = ((y + dy) * width + x + dx) * 3;
        r += rgb[o] / 4;
        g += rgb[o + 1] / 4;
        b += rgb[o + 2] / 4;
      }
      const j = (y / 2) * (width / 2) + x / 2;
      out[u + j] = byte(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      out[v + j] = byte(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return out;
}

/**
 * Writes a looping clip: each pose in turn for `secondsPerPose` at `fps` frames a second.
 * With two poses at 0.6 s each, pictures taken 600 ms apart always see both, whatever the phase.
 */
export function writeClip(path, src, poses, { fps = 10, secondsPerPose = 0.6, width = FRAME_WIDTH, height = FRAME_HEIGHT } = {}) {
  const frames = poses.map((pose) => toI420(frameOf(src, pose, { width, height }), width, height));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    const each = Math.max(1, Math.round(fps * secondsPerPose));
    for (const frame of frames) {
      for (let i = 0; i < each; i++) {
        writeSync(fd, 'FRAME\n');
        writeSync(fd, frame);
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/** A headless Chromium whose camera plays `clip` (permission granted without asking). */
export async function launchWithCamera(clip) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${clip}`],
    headless: true,
  });
}

/**
 * Writes a clip of scenes in turn, each a still RGB frame (from `frameOf`) held for its
 * `seconds`, at `fps` frames a second. Chromium loops it: the whole clip is one cycle.
 */
export function writeScenes(path, scenes, { fps = 10, width = FRAME_WIDTH, height = FRAME_HEIGHT } = {}) {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const scene of scenes) {
      const frame = toI420(scene.rgb, width, height);
      for (let i = 0; i < Math.max(1, Math.round(fps * scene.seconds)); i++) {
        writeSync(fd, 'FRAME\n');
        writeSync(fd, frame);
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}
