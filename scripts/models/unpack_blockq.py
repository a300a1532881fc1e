"""Unpack a block-quantised ONNX file (OpenCV Zoo `*_int8bq.onnx`, opset 21) into plain float32 opset 13.

The int8bq files keep each weight as int8 plus per-block scales and zero points and
rebuild it at run time with DequantizeLinear (block_size attribute, opset 21), which
neither tract nor onnxruntime loads. This script does that arithmetic once:

  * every DequantizeLinear whose inputs are initializers becomes a float32 initializer,
    element i of a block being `float32(q[i] - zero_point[b]) * scale[b]` (one float32
    rounding, the same as numpy or onnxruntime); blocks run along the node's `axis`,
    `block_size` long (0 = one scale per axis slice, or one for the whole tensor);
  * a Reshape of such a constant by a constant shape is folded into it, and the weight
    gets its original name back (`conv_1_conv2d_weight`, not `..._dequantized`);
  * Dropout (an identity at inference) is dropped, then every node and initializer
    nothing reads; graph inputs keep only the real inputs (not unused names, not
    initializers), stale value_info goes;
  * the model is written with opset 13 and IR version 7, after checking that every op
    left is one whose opset-13 form means the same (the list is below; anything else
    stops the script).

It needs only the Python standard library (so `make models` runs it with any python3):
the ONNX protobuf is read and written by hand, fields in their original order, so the
same input gives the same bytes on every run and machine. fetch.sh pins the output's
SHA-256, so a change here that alters a single byte is noticed.

    python3 scripts/models/unpack_blockq.py IN.onnx OUT.onnx
    python  scripts/models/unpack_blockq.py --check IN.onnx OUT.onnx   # needs requirements.txt

--check (numpy, onnx, onnxruntime, opencv) compares OUT with IN: onnx.checker on OUT;
every folded weight against numpy's dequantisation of IN; OUT under onnxruntime against
IN under onnx's reference evaluator and, when OpenCV can load IN, under OpenCV's dnn.
"""

from __future__ import annotations  # runs on older python3 too (make models uses the system one)

import hashlib
import struct
import sys
from array import array
from pathlib import Path

OPSET = 13
IR_VERSION = 7
PRODUCER = "facelens scripts/models/unpack_blockq.py"
PRODUCER_VERSION = "1"

# Ops whose opset-13 definition covers what the opset-21 files use; attributes that a
# later opset added are allowed only at their default value and are then dropped.
OPSET13_OPS = {
    "Add", "BatchNormalization", "Constant", "Conv", "Flatten", "Gemm", "MaxPool", "Mul",
    "PRelu", "Relu", "Reshape", "Resize", "Sigmoid", "Sub", "Transpose",
}
LATER_ATTRS = {  # op -> {attribute: default}, added after opset 13
    "Reshape": {"allowzero": 0},
    "BatchNormalization": {"training_mode": 0},
    "Resize": {"antialias": 0, "keep_aspect_ratio_policy": b"stretch"},
}

# TensorProto data types used here.
FLOAT, UINT8, INT8, INT64 = 1, 2, 3, 7

# ---------------------------------------------------------------- protobuf wire format


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _enc_varint(v: int) -> bytes:
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def parse(buf: bytes) -> list[list]:
    """A message as its fields, in order: [number, wire type, value] (int or bytes)."""
    fields, pos = [], 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(buf, pos)
        elif wt == 1:
            val, pos = buf[pos : pos + 8], pos + 8
        elif wt == 2:
            n, pos = _varint(buf, pos)
            val, pos = buf[pos : pos + n], pos + n
        elif wt == 5:
            val, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wt}")
        fields.append([num, wt, val])
    return fields


def encode(fields: list[list]) -> bytes:
    out = bytearray()
    for num, wt, val in fields:
        out += _enc_varint(num << 3 | wt)
        if wt == 0:
            out += _enc_varint(val)
        elif wt == 2:
            out += _enc_varint(len(val)) + val
        else:
            out += val
    return bytes(out)


def get_all(fields, num):
    return [f[2] for f in fields if f[0] == num]


def get_one(fields, num, default=None):
    vals = get_all(fields, num)
    return vals[-1] if vals else default


def ints(fields, num) -> list[int]:
    """A repeated int64 field, packed or not."""
    out = []
    for n, wt, val in fields:
        if n != num:
            continue
        if wt == 0:
            out.append(val)
        else:
            pos = 0
            while pos < len(val):
                v, pos = _varint(val, pos)
                out.append(v)
    return [v - (1 << 64) if v >= 1 << 63 else v for v in out]


def text(b: bytes) -> str:
    return b.decode("utf-8")


# ---------------------------------------------------------------- ONNX messages
# ModelProto: 1 ir_version, 2 producer_name, 3 producer_version, 6 doc_string, 7 graph,
#   8 opset_import. GraphProto: 1 node, 5 initializer, 11 input, 12 output, 13 value_info.
# NodeProto: 1 input, 2 output, 3 name, 4 op_type, 5 attribute, 7 domain.
# AttributeProto: 1 name, 2 f, 3 i, 4 s, 8 ints, 20 type. ValueInfoProto: 1 name.
# TensorProto: 1 dims, 2 data_type, 4 float_data, 5 int32_data, 7 int64_data, 8 name,
#   9 raw_data, 14 data_location. OperatorSetIdProto: 1 domain, 2 version.


class Node:
    def __init__(self, raw: bytes):
        self.fields = parse(raw)
        self.inputs = [text(v) for v in get_all(self.fields, 1)]
        self.outputs = [text(v) for v in get_all(self.fields, 2)]
        self.op = text(get_one(self.fields, 4, b""))
        self.domain = text(get_one(self.fields, 7, b""))
        self.attrs = {text(get_one(parse(a), 1)): parse(a) for a in get_all(self.fields, 5)}

    def attr_int(self, name, default):
        a = self.attrs.get(name)
        if a is None:
            return default
        v = get_one(a, 3, 0)
        return v - (1 << 64) if v >= 1 << 63 else v

    def encode(self, drop_attrs=()) -> bytes:
        ins = iter(self.inputs)
        out = []
        for f in self.fields:
            if f[0] == 1:
                out.append([1, 2, next(ins).encode()])
            elif f[0] == 5 and text(get_one(parse(f[2]), 1)) in drop_attrs:
                continue
            else:
                out.append(f)
        return encode(out)


class Tensor:
    def __init__(self, raw: bytes):
        f = parse(raw)
        self.name = text(get_one(f, 8, b""))
        self.dims = ints(f, 1)
        self.dtype = get_one(f, 2, 0)
        if get_one(f, 14, 0):
            raise ValueError(f"{self.name}: external data is not supported")
        self.raw = get_one(f, 9)
        self.fields = f

    def size(self) -> int:
        n = 1
        for d in self.dims:
            n *= d
        return n

    def values(self) -> list:
        """Elements as Python numbers (float32, int8, uint8 or int64 tensors)."""
        n = self.size()
        if self.raw is not None:
            fmt = {FLOAT: "f", INT8: "b", UINT8: "B", INT64: "q"}[self.dtype]
            vals = list(struct.unpack(f"<{n}{fmt}", self.raw))
        elif self.dtype == FLOAT:
            vals = []
            for _, wt, v in (x for x in self.fields if x[0] == 4):
                vals += list(struct.unpack(f"<{len(v) // 4}f", v)) if wt == 2 else struct.unpack("<f", v)
        elif self.dtype in (INT8, UINT8):
            vals = ints(self.fields, 5)
            if self.dtype == INT8:
                vals = [v - 256 if v >= 128 else v for v in (x & 0xFF for x in vals)]
        elif self.dtype == INT64:
            vals = ints(self.fields, 7)
        else:
            raise ValueError(f"{self.name}: data type {self.dtype} is not supported")
        if len(vals) != n:
            raise ValueError(f"{self.name}: {len(vals)} values for dims {self.dims}")
        return vals


def float_tensor(name: str, dims: list[int], data: bytes) -> bytes:
    fields = [[1, 0, d] for d in dims] + [[2, 0, FLOAT], [8, 2, name.encode()], [9, 2, data]]
    return encode(fields)


# ---------------------------------------------------------------- the unpacking


def dequantize(node: Node, q: Tensor, scale: Tensor, zero: Tensor | None) -> bytes:
    """float32 little-endian bytes of DequantizeLinear(q, scale, zero) (opset 21 semantics)."""
    if scale.dtype != FLOAT:
        raise ValueError(f"{node.outputs[0]}: scale must be float32")
    if q.dtype not in (INT8, UINT8) or (zero is not None and zero.dtype != q.dtype):
        raise ValueError(f"{node.outputs[0]}: only int8/uint8 data with a matching zero point")
    dims, rank = q.dims, len(q.dims)
    qv, sv = q.values(), scale.values()
    zv = zero.values() if zero is not None else [0] * len(sv)
    block = node.attr_int("block_size", 0)
    if len(sv) == 1 and block == 0:  # per tensor
        axis, outer, length, inner, block = 0, 1, len(qv), 1, len(qv)
    else:
        axis = node.attr_int("axis", 1)
        axis += rank if axis < 0 else 0
        outer = 1
        for d in dims[:axis]:
            outer *= d
        length, inner = dims[axis], 1
        for d in dims[axis + 1 :]:
            inner *= d
        if block == 0:  # per axis: one scale per slice of `axis`
            block = 1
            if len(sv) != length:
                raise ValueError(f"{node.outputs[0]}: {len(sv)} scales for axis length {length}")
        elif list(scale.dims) != dims[:axis] + [-(-length // block)] + dims[axis + 1 :]:
            raise ValueError(f"{node.outputs[0]}: scale dims {scale.dims} do not fit {dims} / {block}")
    nblocks = -(-length // block)
    # (q - z) has at most 9 significant bits and the scale 24, so the double product is
    # exact and storing it in a float32 array rounds once: numpy's float32 result.
    out = array("f", bytes(4 * len(qv)))
    if inner == 1:  # blocks are contiguous runs
        for o in range(outer):
            for b in range(nblocks):
                start, end = o * length + b * block, o * length + min(length, (b + 1) * block)
                s, z = sv[o * nblocks + b], zv[o * nblocks + b]
                out[start:end] = array("f", [(v - z) * s for v in qv[start:end]])
    else:
        for o in range(outer):
            for d in range(length):
                base = (o * length + d) * inner
                sbase = (o * nblocks + d // block) * inner
                for k in range(inner):
                    out[base + k] = (qv[base + k] - zv[sbase + k]) * sv[sbase + k]
    if sys.byteorder != "little":
        out.byteswap()
    return out.tobytes()


def reshape_dims(dims: list[int], shape: list[int]) -> list[int]:
    out = [dims[i] if s == 0 else s for i, s in enumerate(shape)]
    if -1 in out:
        known = 1
        for s in out:
            known *= s if s != -1 else 1
        total = 1
        for d in dims:
            total *= d
        out[out.index(-1)] = total // known
    return out


def unpack(src: bytes) -> bytes:
    model = parse(src)
    graph = parse(get_one(model, 7))
    nodes = [Node(n) for n in get_all(graph, 1)]
    inits = {}
    init_order = []
    for raw in get_all(graph, 5):
        t = Tensor(raw)
        inits[t.name] = (t, raw)
        init_order.append(t.name)
    graph_outputs = [text(get_one(parse(v), 1)) for v in get_all(graph, 12)]

    for n in nodes:
        if n.domain not in ("", "ai.onnx"):
            raise ValueError(f"node {n.op} in domain {n.domain!r} is not supported")

    # 1. Fold DequantizeLinear of initializers, then Reshape of those by constant shapes.
    consts = {}  # name -> (dims, float32 bytes)
    kept = []
    for n in nodes:
        if n.op == "DequantizeLinear" and all(i in inits for i in n.inputs if i):
            q, s = inits[n.inputs[0]][0], inits[n.inputs[1]][0]
            z = inits[n.inputs[2]][0] if len(n.inputs) > 2 and n.inputs[2] else None
            consts[n.outputs[0]] = (q.dims, dequantize(n, q, s, z))
        elif n.op == "Reshape" and n.inputs[0] in consts and n.inputs[1] in inits:
            dims, data = consts[n.inputs[0]]
            shape = inits[n.inputs[1]][0].values()
            consts[n.outputs[0]] = (reshape_dims(dims, shape), data)
        else:
            kept.append(n)
    if any(n.op == "DequantizeLinear" for n in kept):
        raise ValueError("a DequantizeLinear reads a computed tensor: not a weight-only int8bq file")

    # 2. Dropout is the identity at inference: route its readers to its input.
    alias = {}
    for n in kept:
        if n.op == "Dropout":
            if n.outputs[0] in graph_outputs:
                raise ValueError("a Dropout output is a graph output")
            alias[n.outputs[0]] = n.inputs[0]
    kept = [n for n in kept if n.op != "Dropout"]
    for n in kept:
        n.inputs = [alias.get(i, i) for i in n.inputs]

    # 3. Drop what nothing reads (the Dropout ratio, the int8 data, the shapes).
    while True:
        read = {i for n in kept for i in n.inputs} | set(graph_outputs)
        alive = [n for n in kept if any(o in read for o in n.outputs)]
        if len(alive) == len(kept):
            break
        kept = alive
    read = {i for n in kept for i in n.inputs} | set(graph_outputs)

    # 4. Give folded weights their original names where the name is free.
    produced = {o for n in kept for o in n.outputs}
    taken = produced | {name for name in init_order if name in read}
    taken |= {text(get_one(parse(v), 1)) for v in get_all(graph, 11)} & read
    rename = {}
    for name in sorted(c for c in consts if c in read):
        base = name
        for suffix in ("_reshaped", "_dequantized"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        if base != name and base not in taken and base not in rename.values():
            rename[name] = base
    for n in kept:
        n.inputs = [rename.get(i, i) for i in n.inputs]

    # 5. Opset 13: only known ops, later attributes only at their defaults.
    drops = {}
    for n in kept:
        if n.op not in OPSET13_OPS:
            raise ValueError(f"op {n.op} is not in this script's opset-13 list; check its definition")
        for attr, default in LATER_ATTRS.get(n.op, {}).items():
            if attr in n.attrs:
                a = n.attrs[attr]
                val = get_one(a, 3, get_one(a, 4))
                if val != default:
                    raise ValueError(f"{n.op} {attr}={val!r} has no opset-13 form")
                drops.setdefault(id(n), set()).add(attr)
        if n.op == "Resize" and "axes" in n.attrs:
            raise ValueError("Resize with axes has no opset-13 form")

    # 6. Rebuild the graph: nodes, initializers (original ones first, in file order, then
    #    the unpacked weights in node order), real inputs only, no value_info.
    new_inits = [inits[name][1] for name in init_order if name in read]
    for n in nodes:
        for o in n.outputs:
            if o in consts and o in read:
                dims, data = consts[o]
                new_inits.append(float_tensor(rename.get(o, o), dims, data))
    init_names = {name for name in init_order if name in read} | {rename.get(c, c) for c in consts if c in read}
    real_inputs = []
    for v in get_all(graph, 11):
        name = text(get_one(parse(v), 1))
        if name in read and name not in init_names:
            real_inputs.append(v)
    new_graph = [f for f in graph if f[0] not in (1, 5, 11, 13)]
    new_graph += [[1, 2, n.encode(drops.get(id(n), ()))] for n in kept]
    new_graph += [[5, 2, t] for t in new_inits]
    new_graph += [[11, 2, v] for v in real_inputs]
    new_graph.sort(key=lambda f: f[0])  # stable: fields in number order, repeats in order

    # 7. The model: IR 7, opset 13, our producer, a doc string naming the source.
    doc = (
        f"float32 opset-{OPSET} unpacking of a block-quantised ONNX file (sha256 "
        f"{hashlib.sha256(src).hexdigest()}) by scripts/models/unpack_blockq.py"
    )
    new_model = []
    for f in model:
        num = f[0]
        if num == 1:
            new_model.append([1, 0, IR_VERSION])
        elif num == 2:
            new_model.append([2, 2, PRODUCER.encode()])
        elif num == 3:
            new_model.append([3, 2, PRODUCER_VERSION.encode()])
        elif num == 6:
            continue
        elif num == 7:
            new_model.append([7, 2, encode(new_graph)])
        elif num == 8:
            op = parse(f[2])
            if text(get_one(op, 1, b"")) not in ("", "ai.onnx"):
                raise ValueError("models importing other opset domains are not supported")
            new_model.append([8, 2, encode([[2, 0, OPSET]])])
        else:
            new_model.append(f)
    for num, val in ((2, PRODUCER.encode()), (3, PRODUCER_VERSION.encode())):
        if get_one(model, num) is None:
            new_model.append([num, 2, val])
    new_model.append([6, 2, doc.encode()])
    return encode(sorted(new_model, key=lambda f: f[0]))


# ---------------------------------------------------------------- --check (needs the venv)


def check(src_path: Path, out_path: Path) -> None:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper
    from onnx.reference import ReferenceEvaluator

    src, out = onnx.load(str(src_path)), onnx.load(str(out_path))
    onnx.checker.check_model(out, full_check=True)
    print(f"onnx.checker: ok (opset {out.opset_import[0].version}, IR {out.ir_version}, "
          f"{len(out.graph.node)} nodes, inputs {[i.name for i in out.graph.input]})")

    # Every unpacked weight against numpy's reading of the DequantizeLinear spec.
    si = {t.name: numpy_helper.to_array(t) for t in src.graph.initializer}
    oi = {t.name: numpy_helper.to_array(t) for t in out.graph.initializer}
    worst, n_checked = 0.0, 0
    for node in src.graph.node:
        if node.op_type != "DequantizeLinear":
            continue
        q, s = si[node.input[0]].astype(np.float32), si[node.input[1]]
        z = si[node.input[2]].astype(np.float32) if len(node.input) > 2 else np.zeros_like(s)
        a = {x.name: x.i for x in node.attribute}
        axis, block = a.get("axis", 1) % q.ndim, a.get("block_size", 0)
        rep = np.repeat(s, block, axis=axis).take(range(q.shape[axis]), axis=axis)
        zrep = np.repeat(z, block, axis=axis).take(range(q.shape[axis]), axis=axis)
        ref = (q - zrep) * rep
        cands = [v for k, v in oi.items() if k.startswith(node.output[0].replace("_dequantized", ""))
                 and v.size == ref.size and np.array_equal(v.reshape(-1), ref.reshape(-1))]
        if not cands:
            raise SystemExit(f"weight of {node.name} differs from numpy's dequantisation")
        n_checked += 1
    print(f"weights: {n_checked} unpacked weights equal numpy's (q - zero_point) * scale bit for bit")

    rng = np.random.default_rng(0)
    inp = out.graph.input[0]
    full = [d.dim_value or 1 for d in inp.type.tensor_type.shape.dim]
    shape = list(full)
    if shape[2] > 160:  # the reference evaluator is slow: use a smaller, still valid, input
        shape[2] = shape[3] = 160
    x = rng.uniform(0, 255, shape).astype(np.float32)
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    if shape != full:
        for k, name in ((2, "h"), (3, "w")):
            out.graph.input[0].type.tensor_type.shape.dim[k].dim_param = name
        for o in out.graph.output:
            o.type.tensor_type.ClearField("shape")
    got = ort.InferenceSession(out.SerializeToString(), opts).run(None, {inp.name: x})
    ref = ReferenceEvaluator(src).run(None, {inp.name: x})
    for o, g, r in zip(out.graph.output, got, ref):
        err = float(np.max(np.abs(g - r)))
        scale = float(np.max(np.abs(r))) + 1e-12
        print(f"{o.name:8} shape {list(g.shape)}: onnxruntime(unpacked) vs reference(int8bq) "
              f"max abs diff {err:.2e} (max |out| {scale:.3g})")
        if err > 1e-3 * max(1.0, scale):
            raise SystemExit(f"{o.name} differs")

    try:
        import cv2
    except ImportError:
        return
    try:
        net = cv2.dnn.readNetFromONNX(str(src_path))
        x = rng.uniform(0, 255, full).astype(np.float32)
        net.setInput(x, inp.name)
        names = [o.name for o in src.graph.output]
        cv_out = net.forward(names)
        sess = ort.InferenceSession(str(out_path), opts)
        ort_out = sess.run(names, {inp.name: x})
        worst = max(float(np.max(np.abs(np.asarray(c).reshape(o.shape) - o))) for c, o in zip(cv_out, ort_out))
        print(f"OpenCV {cv2.__version__} dnn(int8bq) vs onnxruntime(unpacked) at {full}: max abs diff {worst:.2e}")
    except cv2.error as e:
        print(f"OpenCV cannot run the int8bq file: {str(e).strip().splitlines()[-1]}")


def main(argv: list[str]) -> int:
    do_check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src_path, out_path = Path(args[0]), Path(args[1])
    if do_check:
        check(src_path, out_path)
        return 0
    data = unpack(src_path.read_bytes())
    tmp = out_path.with_name(out_path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
