/* SPDX-License-Identifier: MIT */
/*
 * flvinfo: what is in an FLV file — its header, how many tags of each kind,
 * the AMF0 onMetaData fields, and from the H.264 sequence header the
 * profile, level and picture size (with cropping) read from the SPS.
 *
 *   gomem-flvinfo [-p SEED | -s SIZE] [--expect FILE] FILE|-
 *
 * It reads the way a network server does: the input arrives in pieces
 * (one read(2) each, of SIZE bytes, or of random sizes from 1 byte up with
 * -p SEED), every piece becomes one segment of a gomem_memory, and a tag is
 * parsed as soon as all its bytes are there, wherever the segment
 * boundaries fall. Nothing is copied to parse: a tag's payload is handed
 * over as a memory of views (gomem_reader_range), floats and integers are
 * read across boundaries, the SPS goes through a gomem_bitreader that drops
 * emulation prevention bytes. Parsed tags are clipped off the front and
 * their pieces freed, so memory use stays at about one tag.
 *
 * --expect FILE compares the output with FILE instead of printing it (the
 * tests use it): exit status 0 when they are the same. Without a FILE
 * argument the build's sample file is shown (the build tree's demo run),
 * or, when it is not there, the usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gomem/gomem.h>

#define FLV_HEADER_MIN 9
#define TAG_HEADER 11
#define PREV_TAG_SIZE 4
#define AMF_MAX_DEPTH 16

/* ---- input: pieces of the file, each one malloc block and one segment --- */

struct piece {
  unsigned char *ptr;
  size_t len, released; /* bytes handed back by clip_front so far */
};

struct input {
  int fd;
  size_t fixed;   /* piece size, when no seed */
  uint64_t seed;  /* random piece sizes when non-zero */
  struct piece *q; /* pieces in the memory, oldest first: q[head, tail) */
  size_t head, tail, cap;
  gomem_memory *m;
};

static size_t next_piece_size(struct input *in)
{
  if (!in->seed)
    return in->fixed;
  /* xorshift64: many tiny pieces, some large ones. */
  in->seed ^= in->seed << 13;
  in->seed ^= in->seed >> 7;
  in->seed ^= in->seed << 17;
  static const size_t small[] = {1, 1, 2, 3, 7, 11};
  unsigned k = (unsigned)(in->seed % 8);
  return k < 6 ? small[k] : 1 + (size_t)(in->seed >> 8) % 3000;
}

/* Read one more piece into the memory: 1 read, 0 end of input, -1 error. */
static int read_piece(struct input *in)
{
  size_t size = next_piece_size(in);
  unsigned char *buf = malloc(size);
  if (!buf)
    return -1;
  ssize_t n;
  do
    n = read(in->fd, buf, size);
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    free(buf);
    return n == 0 ? 0 : -1;
  }
  if (in->tail == in->cap) {
    /* Move the live pieces to the front, then grow if still full. */
    if (in->head > 0) {
      memmove(in->q, in->q + in->head, (in->tail - in->head) * sizeof(*in->q));
      in->tail -= in->head;
      in->head = 0;
    }
    if (in->tail == in->cap) {
      size_t cap = in->cap ? 2 * in->cap : 64;
      struct piece *q = realloc(in->q, cap * sizeof(*q));
      if (!q) {
        free(buf);
        return -1;
      }
      in->q = q;
      in->cap = cap;
    }
  }
  if (gomem_memory_push(in->m, buf, (size_t)n) != GOMEM_OK) {
    free(buf);
    return -1;
  }
  in->q[in->tail++] = (struct piece){buf, (size_t)n, 0};
  return 1;
}

/*
 * clip_front's callback: the removed bytes come in order, whole pieces or
 * the consumed head of one; a piece is freed once all of it went.
 */
static int release(const void *ptr, size_t len, void *ctx)
{
  struct input *in = ctx;
  (void)ptr;
  while (len > 0 && in->head < in->tail) {
    struct piece *p = &in->q[in->head];
    size_t step = len < p->len - p->released ? len : p->len - p->released;
    p->released += step;
    len -= step;
    if (p->released == p->len) {
      free(p->ptr);
      in->head++;
    }
  }
  return 0;
}

static void input_free(struct input *in)
{
  for (size_t i = in->head; i < in->tail; i++)
    free(in->q[i].ptr);
  free(in->q);
}

/* Bytes of the input as a memory of views into the input (no copy). */
static int view_push(const void *ptr, size_t len, void *ctx)
{
  return gomem_memory_push(ctx, ptr, len) == GOMEM_OK ? 0 : 1;
}

/* ---- AMF0 (onMetaData) ---------------------------------------------------- */

enum {
  AMF_NUMBER = 0, AMF_BOOLEAN = 1, AMF_STRING = 2, AMF_OBJECT = 3, AMF_NULL = 5,
  AMF_UNDEFINED = 6, AMF_ECMA_ARRAY = 8, AMF_OBJECT_END = 9, AMF_STRICT_ARRAY = 10,
  AMF_DATE = 11, AMF_LONG_STRING = 12,
};

/* Print a string of @len bytes from @r, quoted; 0 or a GOMEM_ERR_*. */
static int amf_print_chars(FILE *out, gomem_reader *r, size_t len)
{
  if (len > gomem_reader_remaining(r))
    return GOMEM_ERR_EOF;
  fputc('"', out);
  for (size_t i = 0; i < len; i++) {
    uint8_t c;
    gomem_reader_read_byte_inline(r, &c);
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c < 0x20 || c >= 0x7f)
      fprintf(out, "\\x%02x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
  return 0;
}

/* An AMF0 key (u16 length + bytes), printed bare. */
static int amf_print_key(FILE *out, gomem_reader *r, uint64_t len)
{
  if (len > gomem_reader_remaining(r))
    return GOMEM_ERR_EOF;
  for (uint64_t i = 0; i < len; i++) {
    uint8_t c;
    gomem_reader_read_byte_inline(r, &c);
    fputc(c >= 0x20 && c < 0x7f ? c : '?', out);
  }
  return 0;
}

static int amf_value(FILE *out, gomem_reader *r, int depth);

/* Key/value pairs up to the 00 00 09 end marker (objects, ECMA arrays). */
static int amf_pairs(FILE *out, gomem_reader *r, int depth)
{
  for (;;) {
    uint64_t len;
    int rc = gomem_reader_read_be(r, 2, &len);
    if (rc)
      return rc;
    if (len == 0) {
      uint8_t end;
      rc = gomem_reader_read_byte(r, &end);
      if (rc)
        return rc;
      return end == AMF_OBJECT_END ? 0 : GOMEM_ERR_INVALID;
    }
    fprintf(out, "%*s", 2 * depth, "");
    if ((rc = amf_print_key(out, r, len)) != 0)
      return rc;
    fputs(": ", out);
    if ((rc = amf_value(out, r, depth)) != 0)
      return rc;
  }
}

/* One value, then a newline; nested ones indented by @depth. */
static int amf_value(FILE *out, gomem_reader *r, int depth)
{
  uint8_t type;
  uint64_t n;
  double d;
  int rc = gomem_reader_read_byte(r, &type);
  if (rc)
    return rc;
  if (depth > AMF_MAX_DEPTH)
    return GOMEM_ERR_OVERFLOW;
  switch (type) {
  case AMF_NUMBER:
    if ((rc = gomem_reader_read_f64_be(r, &d)) != 0)
      return rc;
    fprintf(out, "%.15g\n", d);
    return 0;
  case AMF_BOOLEAN:
    if ((rc = gomem_reader_read_be(r, 1, &n)) != 0)
      return rc;
    fputs(n ? "true\n" : "false\n", out);
    return 0;
  case AMF_STRING:
  case AMF_LONG_STRING:
    if ((rc = gomem_reader_read_be(r, type == AMF_STRING ? 2 : 4, &n)) != 0)
      return rc;
    if ((rc = amf_print_chars(out, r, (size_t)n)) != 0)
      return rc;
    fputc('\n', out);
    return 0;
  case AMF_NULL:
  case AMF_UNDEFINED:
    fputs(type == AMF_NULL ? "null\n" : "undefined\n", out);
    return 0;
  case AMF_DATE:
    if ((rc = gomem_reader_read_f64_be(r, &d)) != 0 || (rc = gomem_reader_skip(r, 2)) != 0)
      return rc;
    fprintf(out, "date %.15g ms\n", d);
    return 0;
  case AMF_OBJECT:
    fputs("object\n", out);
    return amf_pairs(out, r, depth + 1);
  case AMF_ECMA_ARRAY:
    /* The count is only a hint; the end marker ends it. */
    if ((rc = gomem_reader_read_be(r, 4, &n)) != 0)
      return rc;
    fprintf(out, "ECMA array (%u)\n", (unsigned)n);
    return amf_pairs(out, r, depth + 1);
  case AMF_STRICT_ARRAY:
    if ((rc = gomem_reader_read_be(r, 4, &n)) != 0)
      return rc;
    fprintf(out, "array (%u)\n", (unsigned)n);
    for (uint64_t i = 0; i < n; i++) {
      fprintf(out, "%*s[%u]: ", 2 * (depth + 1), "", (unsigned)i);
      if ((rc = amf_value(out, r, depth + 1)) != 0)
        return rc;
    }
    return 0;
  default:
    fprintf(out, "(AMF0 type %u: not shown)\n", type);
    return GOMEM_ERR_UNSUPPORTED;
  }
}

/* A script tag: a name (a string), then its value. */
static void script_tag(FILE *out, gomem_reader *r)
{
  uint8_t type;
  uint64_t len;
  if (gomem_reader_read_byte(r, &type) != GOMEM_OK || type != AMF_STRING ||
      gomem_reader_read_be(r, 2, &len) != GOMEM_OK)
    return;
  fputs("script ", out);
  if (amf_print_chars(out, r, (size_t)len) != 0)
    return;
  fputs(": ", out);
  int rc = amf_value(out, r, 0);
  if (rc != 0)
    fprintf(out, "  (stopped: %s)\n", gomem_err_name(rc));
}

/* ---- H.264 sequence parameter set ---------------------------------------- */

struct sps {
  uint64_t profile, constraints, level, chroma_format_idc, bit_depth_luma, bit_depth_chroma;
  uint64_t separate_colour_plane, scaling_matrix, poc_type, max_ref_frames;
  unsigned scaling_lists; /* bit i: list i present in the SPS */
  uint64_t width_mbs, height_map_units, frame_mbs_only, mbaff;
  uint64_t crop, crop_left, crop_right, crop_top, crop_bottom;
};

static bool high_profile(uint64_t p)
{
  static const uint8_t high[] = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
  for (size_t i = 0; i < sizeof(high); i++) {
    if (p == high[i])
      return true;
  }
  return false;
}

/* Bits, ue and se that stop at the first error (the first one is kept). */
struct bits {
  gomem_bitreader *b;
  int rc;
};

static uint64_t u(struct bits *bs, unsigned n)
{
  uint64_t v = 0;
  if (bs->rc == 0)
    bs->rc = gomem_bitreader_read_bits(bs->b, n, &v);
  return v;
}

static uint64_t ue(struct bits *bs)
{
  uint64_t v = 0;
  if (bs->rc == 0)
    bs->rc = gomem_bitreader_read_ue(bs->b, &v);
  return v;
}

static int64_t se(struct bits *bs)
{
  int64_t v = 0;
  if (bs->rc == 0)
    bs->rc = gomem_bitreader_read_se(bs->b, &v);
  return v;
}

/* scaling_list(): only walked, the values are not needed. */
static void scaling_list(struct bits *bs, unsigned size)
{
  int64_t last = 8, next = 8;
  for (unsigned j = 0; j < size && bs->rc == 0; j++) {
    if (next != 0) {
      int64_t delta = se(bs);
      if (delta < -128 || delta > 127) {
        bs->rc = GOMEM_ERR_INVALID;
        return;
      }
      next = (last + delta + 256) % 256;
    }
    last = next == 0 ? last : next;
  }
}

/* H.264 7.3.2.1.1, up to the frame cropping. @r is at the byte after the NAL header. */
static int parse_sps(gomem_reader *r, struct sps *s)
{
  struct bits bs = {gomem_bitreader_new(r, GOMEM_BITREADER_EMULATION), 0};
  if (!bs.b)
    return GOMEM_ERR_NOMEM;
  memset(s, 0, sizeof(*s));
  s->profile = u(&bs, 8);
  s->constraints = u(&bs, 8);
  s->level = u(&bs, 8);
  ue(&bs); /* seq_parameter_set_id */
  s->chroma_format_idc = 1;
  if (high_profile(s->profile)) {
    s->chroma_format_idc = ue(&bs);
    if (s->chroma_format_idc == 3)
      s->separate_colour_plane = u(&bs, 1);
    s->bit_depth_luma = ue(&bs);
    s->bit_depth_chroma = ue(&bs);
    u(&bs, 1); /* qpprime_y_zero_transform_bypass_flag */
    s->scaling_matrix = u(&bs, 1);
    unsigned lists = s->chroma_format_idc != 3 ? 8 : 12;
    for (unsigned i = 0; s->scaling_matrix && i < lists && bs.rc == 0; i++) {
      if (u(&bs, 1)) {
        s->scaling_lists |= 1u << i;
        scaling_list(&bs, i < 6 ? 16 : 64);
      }
    }
  }
  ue(&bs); /* log2_max_frame_num_minus4 */
  s->poc_type = ue(&bs);
  if (s->poc_type == 0) {
    ue(&bs); /* log2_max_pic_order_cnt_lsb_minus4 */
  } else if (s->poc_type == 1) {
    u(&bs, 1); /* delta_pic_order_always_zero_flag */
    se(&bs);   /* offset_for_non_ref_pic */
    se(&bs);   /* offset_for_top_to_bottom_field */
    uint64_t cycle = ue(&bs);
    if (cycle > 255 && bs.rc == 0)
      bs.rc = GOMEM_ERR_INVALID;
    for (uint64_t i = 0; i < cycle && bs.rc == 0; i++)
      se(&bs); /* offset_for_ref_frame[i] */
  }
  s->max_ref_frames = ue(&bs);
  u(&bs, 1); /* gaps_in_frame_num_value_allowed_flag */
  s->width_mbs = ue(&bs) + 1;
  s->height_map_units = ue(&bs) + 1;
  s->frame_mbs_only = u(&bs, 1);
  if (!s->frame_mbs_only)
    s->mbaff = u(&bs, 1);
  u(&bs, 1); /* direct_8x8_inference_flag */
  s->crop = u(&bs, 1);
  if (s->crop) {
    s->crop_left = ue(&bs);
    s->crop_right = ue(&bs);
    s->crop_top = ue(&bs);
    s->crop_bottom = ue(&bs);
  }
  gomem_bitreader_destroy(bs.b);
  /* Beyond any real picture: refuse rather than compute with it. */
  if (bs.rc == 0 && (s->width_mbs > 4096 || s->height_map_units > 4096 || s->chroma_format_idc > 3))
    bs.rc = GOMEM_ERR_INVALID;
  return bs.rc;
}

static const char *profile_name(const struct sps *s)
{
  switch (s->profile) {
  case 66: return (s->constraints & 0x40) ? "Constrained Baseline" : "Baseline";
  case 77: return "Main";
  case 88: return "Extended";
  case 100: return "High";
  case 110: return "High 10";
  case 122: return "High 4:2:2";
  case 244: return "High 4:4:4 Predictive";
  case 44: return "CAVLC 4:4:4 Intra";
  default: return "other";
  }
}

static void print_sps(FILE *out, const struct sps *s)
{
  static const char *const chroma[] = {"4:0:0", "4:2:0", "4:2:2", "4:4:4"};
  /* H.264 (7-19)-(7-22): crop units depend on chroma subsampling and fields. */
  uint64_t field = 2 - s->frame_mbs_only;
  uint64_t unit_x = 1, unit_y = field;
  if (!s->separate_colour_plane && s->chroma_format_idc != 0) {
    unit_x = s->chroma_format_idc == 3 ? 1 : 2;
    unit_y = (s->chroma_format_idc == 1 ? 2 : 1) * field;
  }
  uint64_t width = 16 * s->width_mbs, height = 16 * s->height_map_units * field;
  uint64_t cut_x = unit_x * (s->crop_left + s->crop_right);
  uint64_t cut_y = unit_y * (s->crop_top + s->crop_bottom);
  fprintf(out, "  SPS: profile %s (%u), constraint flags 0x%02x, level %u.%u\n", profile_name(s),
          (unsigned)s->profile, (unsigned)s->constraints, (unsigned)s->level / 10,
          (unsigned)s->level % 10);
  fprintf(out, "  SPS: chroma %s, bit depth %u/%u, POC type %u, %u ref frames\n",
          chroma[s->chroma_format_idc], 8 + (unsigned)s->bit_depth_luma,
          8 + (unsigned)s->bit_depth_chroma, (unsigned)s->poc_type, (unsigned)s->max_ref_frames);
  if (s->scaling_matrix) {
    fputs("  SPS: scaling lists present:", out);
    for (unsigned i = 0; i < 12; i++) {
      if (s->scaling_lists & (1u << i))
        fprintf(out, " %u", i);
    }
    fputc('\n', out);
  }
  fprintf(out, "  SPS: %s\n",
          s->frame_mbs_only ? "progressive (frame_mbs_only)"
                            : (s->mbaff ? "interlaced, MBAFF" : "interlaced, field pictures"));
  fprintf(out, "  SPS: coded %ux%u, crop left %u right %u top %u bottom %u\n", (unsigned)width,
          (unsigned)height, (unsigned)(unit_x * s->crop_left), (unsigned)(unit_x * s->crop_right),
          (unsigned)(unit_y * s->crop_top), (unsigned)(unit_y * s->crop_bottom));
  if (cut_x >= width || cut_y >= height) {
    fputs("  SPS: cropping larger than the picture\n", out);
    return;
  }
  fprintf(out, "  SPS: picture %ux%u\n", (unsigned)(width - cut_x), (unsigned)(height - cut_y));
}

/* An AVC video tag: frame type/codec byte, packet type, composition time, data. */
static void avc_sequence_header(FILE *out, gomem_reader *r)
{
  uint64_t version, profile, compat, level, nal_len, nsps, sps_len;
  if (gomem_reader_read_be(r, 1, &version) || gomem_reader_read_be(r, 1, &profile) ||
      gomem_reader_read_be(r, 1, &compat) || gomem_reader_read_be(r, 1, &level) ||
      gomem_reader_read_be(r, 1, &nal_len) || gomem_reader_read_be(r, 1, &nsps)) {
    fputs("AVC sequence header: truncated\n", out);
    return;
  }
  fprintf(out, "AVC sequence header: version %u, profile %u, level %u, NAL length size %u, %u SPS\n",
          (unsigned)version, (unsigned)profile, (unsigned)level, (unsigned)(nal_len & 3) + 1,
          (unsigned)(nsps & 0x1f));
  if ((nsps & 0x1f) == 0 || gomem_reader_read_be(r, 2, &sps_len) != GOMEM_OK || sps_len < 4 ||
      sps_len > gomem_reader_remaining(r)) {
    fputs("  SPS: missing\n", out);
    return;
  }
  /* The bit reader gets exactly the SPS: a memory of views of its bytes. */
  gomem_memory *sps_mem = gomem_memory_new();
  gomem_reader_storage st;
  uint8_t nal_header;
  struct sps s;
  int rc = GOMEM_ERR_NOMEM;
  if (sps_mem) {
    gomem_reader_range(r, (size_t)sps_len, view_push, sps_mem);
    gomem_reader *sr = gomem_reader_init(&st, sizeof(st), sps_mem);
    rc = gomem_reader_read_byte(sr, &nal_header);
    if (rc == GOMEM_OK && (nal_header & 0x1f) != 7)
      rc = GOMEM_ERR_INVALID;
    if (rc == GOMEM_OK)
      rc = parse_sps(sr, &s);
  }
  if (rc == GOMEM_OK)
    print_sps(out, &s);
  else
    fprintf(out, "  SPS: unreadable (%s)\n", gomem_err_name(rc));
  gomem_memory_destroy(sps_mem);
}

/* ---- FLV ------------------------------------------------------------------ */

struct counts {
  unsigned long audio, video, script, other, keyframes;
  uint64_t audio_bytes, video_bytes;
};

static void tag(FILE *out, uint8_t type, gomem_memory *payload, struct counts *c)
{
  gomem_reader_storage st;
  gomem_reader *r = gomem_reader_init(&st, sizeof(st), payload);
  size_t size = gomem_memory_size(payload);
  uint8_t b0 = 0;
  uint64_t packet_type = 0;
  switch (type) {
  case 8:
    c->audio++;
    c->audio_bytes += size;
    break;
  case 9:
    c->video++;
    c->video_bytes += size;
    if (gomem_reader_read_byte(r, &b0) != GOMEM_OK)
      break;
    if ((b0 >> 4) == 1)
      c->keyframes++;
    /* Codec 7 is AVC; packet type 0 the sequence header; 3 bytes of time. */
    if ((b0 & 0x0f) == 7 && gomem_reader_read_be(r, 1, &packet_type) == GOMEM_OK &&
        packet_type == 0 && gomem_reader_skip(r, 3) == GOMEM_OK)
      avc_sequence_header(out, r);
    break;
  case 18:
    c->script++;
    script_tag(out, r);
    break;
  default:
    c->other++;
    break;
  }
}

struct flv {
  FILE *out;
  gomem_reader *r;
  gomem_memory *payload;
  struct counts c;
  bool header_done;
};

/*
 * Parse what the memory holds: the header once, then every complete tag.
 * @return 1 when more input is needed, 0 to go on, -1 for a broken file.
 */
static int parse_step(struct flv *f)
{
  gomem_reader *r = f->r;
  if (!f->header_done) {
    unsigned char h[FLV_HEADER_MIN];
    if (gomem_reader_peek(r, h, sizeof(h)) != GOMEM_OK)
      return 1;
    if (memcmp(h, "FLV", 3) != 0) {
      fputs("not an FLV file\n", f->out);
      return -1;
    }
    uint32_t hsize = (uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 8 | h[8];
    if (hsize < FLV_HEADER_MIN || gomem_reader_remaining(r) < hsize + PREV_TAG_SIZE)
      return hsize < FLV_HEADER_MIN ? -1 : 1;
    fprintf(f->out, "FLV version %u, flags 0x%02x (%s%s), header %u bytes\n", h[3], h[4],
            (h[4] & 4) ? "audio" : "no audio", (h[4] & 1) ? ", video" : ", no video",
            (unsigned)hsize);
    gomem_reader_skip(r, hsize + PREV_TAG_SIZE);
    f->header_done = true;
    return 0;
  }
  unsigned char th[TAG_HEADER];
  if (gomem_reader_peek(r, th, sizeof(th)) != GOMEM_OK)
    return 1;
  size_t data = (size_t)th[1] << 16 | (size_t)th[2] << 8 | th[3];
  if (gomem_reader_remaining(r) < TAG_HEADER + data + PREV_TAG_SIZE)
    return 1;
  gomem_reader_skip(r, TAG_HEADER);
  gomem_memory_reset(f->payload);
  if (gomem_reader_range(r, data, view_push, f->payload) != 0)
    return -1;
  tag(f->out, th[0] & 0x1f, f->payload, &f->c);
  gomem_memory_reset(f->payload); /* its views die with the clip below */
  gomem_reader_skip(r, PREV_TAG_SIZE);
  return 0;
}

static int run(FILE *out, struct input *in)
{
  gomem_reader_storage st;
  struct flv f = {out, NULL, gomem_memory_new(), {0}, false};
  in->m = gomem_memory_new();
  if (!in->m || !f.payload) {
    gomem_memory_destroy(in->m);
    gomem_memory_destroy(f.payload);
    return -1;
  }
  f.r = gomem_reader_init(&st, sizeof(st), in->m);
  int status = 0;
  for (;;) {
    int step = parse_step(&f);
    if (step < 0) {
      status = -1;
      break;
    }
    if (step == 0) {
      gomem_reader_clip_front(f.r, release, in); /* free what was parsed */
      continue;
    }
    int got = read_piece(in);
    if (got <= 0) {
      status = got;
      break;
    }
  }
  size_t left = gomem_reader_remaining(f.r);
  if (!f.header_done)
    fputs("no FLV header\n", out);
  fprintf(out, "tags: %lu audio (%llu bytes), %lu video (%llu bytes, %lu key frames), %lu script, %lu other\n",
          f.c.audio, (unsigned long long)f.c.audio_bytes, f.c.video,
          (unsigned long long)f.c.video_bytes, f.c.keyframes, f.c.script, f.c.other);
  if (left)
    fprintf(out, "%zu bytes of a truncated tag at the end\n", left);
  gomem_memory_destroy(f.payload);
  gomem_memory_destroy(in->m);
  return status;
}

/* ---- main ------------------------------------------------------------------ */

static int usage(void)
{
  fputs("usage: gomem-flvinfo [-p SEED | -s SIZE] [--expect FILE] FILE|-\n", stderr);
  return 2;
}

/* The whole of @path, NUL-terminated, or NULL. */
static char *slurp(const char *path, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  char *buf = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;) {
    if (cap - *len < 4096) {
      char *nb = realloc(buf, cap + 65536);
      if (!nb)
        break;
      buf = nb;
      cap += 65536;
    }
    size_t n = fread(buf + *len, 1, cap - *len - 1, fp);
    *len += n;
    if (n == 0)
      break;
  }
  fclose(fp);
  if (buf)
    buf[*len] = 0;
  return buf;
}

int main(int argc, char **argv)
{
  struct input in = {0, 65536, 0, NULL, 0, 0, 0, NULL};
  const char *path = NULL, *expect = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-p") && i + 1 < argc)
      in.seed = strtoull(argv[++i], NULL, 0) | 1; /* xorshift needs a non-zero state */
    else if (!strcmp(argv[i], "-s") && i + 1 < argc)
      in.fixed = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
      expect = argv[++i];
    else if (argv[i][0] == '-' && argv[i][1] != 0)
      return usage();
    else if (!path)
      path = argv[i];
    else
      return usage();
  }
  if (in.fixed == 0)
    return usage();
#ifdef FLVINFO_SAMPLE
  if (!path && access(FLVINFO_SAMPLE, R_OK) == 0)
    path = FLVINFO_SAMPLE;
#endif
  if (!path)
    return usage();
  if (path && strcmp(path, "-") != 0) {
    in.fd = open(path, O_RDONLY);
    if (in.fd < 0) {
      perror(path);
      return 1;
    }
  }
  char *text = NULL;
  size_t text_len = 0;
  FILE *out = expect ? open_memstream(&text, &text_len) : stdout;
  if (!out)
    return 1;
  int status = run(out, &in);
  input_free(&in);
  if (in.fd > 0)
    close(in.fd);
  if (status < 0)
    fputs("flvinfo: read error or not an FLV file\n", stderr);
  if (!expect)
    return status < 0 ? 1 : 0;
  fclose(out);
  size_t want_len = 0;
  char *want = slurp(expect, &want_len);
  int same = want && want_len == text_len && memcmp(want, text, text_len) == 0;
  if (!same) {
    fprintf(stderr, "flvinfo: output differs from %s; it was:\n", expect);
    fwrite(text, 1, text_len, stderr);
  }
  free(want);
  free(text);
  return same && status == 0 ? 0 : 1;
}
