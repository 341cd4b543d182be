#!/usr/bin/python3
"""The SLT model of PhoenixSlt (src/PhoenixSlt.Core/Modules/SignTranslationModel.cs) in PyTorch eager, and the time
of one training step as the trainer runs it (docs/BENCHMARKS.md, "Training step: TorchSharp vs PyTorch eager").

Same modules, parameter names and shapes as the C# state dict (fusion_encoder.*, adapter.*, mbart.*), same
computation: Squeezeformer fusion encoder -> VisualAdapter -> mBART encoder via inputs_embeds -> mBART decoder ->
tied LM head, label-smoothed cross-entropy. Written for Debian 12's python3-torch (1.13, which has no
F.scaled_dot_product_attention: attention is spelled out). Every line mirrors the C# file named in its class.

  slt_small_step.py [--batch-size 16 --frames 150 --label-length 20 --vocab 3000 --warmup 3 --steps 10 --threads 1]
      prints one JSON line: per-step milliseconds (whole step, forward, backward, optimizer)
  slt_small_step.py --parity DIR
      loads the weights and batch that `PhoenixSlt.Benchmarks train-step --export DIR` wrote, repeats its
      computation and compares with DIR/reference.json
"""
import argparse
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

IGNORE_INDEX = -100
PAD, EOS = 1, 2


# ---- configs: SqueezeformerConfig.Small, ModelPresets.ScratchMBart("small", V), SltModelConfig.Small -------------

def small_config(vocab, without_dropout=False):
    d = 0.0 if without_dropout else 0.1
    fusion = dict(keypoint_dim=225, siglip_dim=768, d_model=96, num_blocks=2, num_heads=4, ffn_dim=96 * 4,
                  conv_expansion=2, conv_kernel=15, siglip_layers=1, siglip_heads=4, siglip_ffn=192,
                  dropout=d, attention_dropout=d, ln_eps=1e-5, bn_eps=1e-5, bn_momentum=0.1, pos_base=10000.0)
    mbart = dict(vocab=vocab, d_model=128, encoder_layers=2, decoder_layers=2, heads=4, ffn=512, max_positions=256,
                 scale_embedding=True, dropout=d, attention_dropout=d, activation_dropout=0.0, init_std=0.02)
    return dict(fusion=fusion, mbart=mbart, adapter_dropout=d, label_smoothing=0.1)


# ---- Squeezeformer fusion encoder (Modules/Squeezeformer) ------------------------------------------------------

def sinusoidal_table(frames, d_model, base, device=None):  # SinusoidalPositionalEncoding.Table
    positions = torch.arange(frames, dtype=torch.float64, device=device).unsqueeze(1)
    pairs = torch.arange(0, d_model, 2, dtype=torch.float64, device=device)
    inverse_frequency = torch.exp(pairs * (-math.log(base) / d_model)).unsqueeze(0)
    angles = positions * inverse_frequency
    return torch.stack([angles.sin(), angles.cos()], dim=2).reshape(frames, d_model).to(torch.float32)


class FeatureProjection(nn.Module):
    def __init__(self, input_dim, d_model, dropout, eps):
        super().__init__()
        self.linear = nn.Linear(input_dim, d_model)
        self.layer_norm = nn.LayerNorm(d_model, eps=eps)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.layer_norm(self.linear(x)))


class MultiHeadSelfAttention(nn.Module):  # batch-first, key padding mask with the dtype's lowest finite value
    def __init__(self, d_model, heads, attention_dropout):
        super().__init__()
        self.heads, self.head_dim, self.p = heads, d_model // heads, attention_dropout
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, x, key_mask):
        b, t, w = x.shape
        q, k, v = (self._split(p(x), b, t) for p in (self.q_proj, self.k_proj, self.v_proj))
        bias = torch.zeros(b, 1, 1, t, dtype=q.dtype, device=q.device).masked_fill(
            key_mask.logical_not().view(b, 1, 1, t), torch.finfo(q.dtype).min)
        context = attention(q, k, v, bias, self.p if self.training else 0.0)
        return self.out_proj(context.transpose(1, 2).reshape(b, t, w))

    def _split(self, x, b, t):
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)


def attention(q, k, v, mask, p):
    """scaled_dot_product_attention (math path): softmax(q·kᵀ/√d + mask) with dropout, times v."""
    weights = torch.matmul(q * (q.shape[-1] ** -0.5), k.transpose(-2, -1))
    if mask is not None:
        weights = weights + mask
    weights = torch.softmax(weights, dim=-1)
    if p > 0:
        weights = F.dropout(weights, p, True)
    return torch.matmul(weights, v)


class TemporalEncoderLayer(nn.Module):
    def __init__(self, d_model, heads, ffn, dropout, attention_dropout, eps):
        super().__init__()
        self.self_attn_layer_norm = nn.LayerNorm(d_model, eps=eps)
        self.self_attn = MultiHeadSelfAttention(d_model, heads, attention_dropout)
        self.final_layer_norm = nn.LayerNorm(d_model, eps=eps)
        self.fc1 = nn.Linear(d_model, ffn)
        self.fc2 = nn.Linear(ffn, d_model)
        self.activation_dropout = nn.Dropout(dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask):
        h = x + self.dropout(self.self_attn(self.self_attn_layer_norm(x), mask))
        hidden = F.gelu(self.fc1(self.final_layer_norm(h)))
        return h + self.dropout(self.fc2(self.activation_dropout(hidden)))


class TemporalTransformerEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.d_model, self.base = c["d_model"], c["pos_base"]
        self.dropout = nn.Dropout(c["dropout"])
        self.layers = nn.ModuleList([TemporalEncoderLayer(c["d_model"], c["siglip_heads"], c["siglip_ffn"], c["dropout"],
                                                          c["attention_dropout"], c["ln_eps"]) for _ in range(c["siglip_layers"])])
        self.layer_norm = nn.LayerNorm(c["d_model"], eps=c["ln_eps"])

    def forward(self, x, mask):
        h = self.dropout(x + sinusoidal_table(x.shape[1], self.d_model, self.base, x.device).to(x.dtype).unsqueeze(0))
        for layer in self.layers:
            h = layer(h, mask)
        return self.layer_norm(h).masked_fill(mask.logical_not().unsqueeze(-1), 0.0)


def align_corners(values, source_lengths, target_lengths, target_frames):  # TemporalInterpolation.AlignCorners
    batch, source_frames, width = values.shape
    device = values.device
    source = source_lengths.to(torch.int64).clamp(0, source_frames).unsqueeze(1)
    target = target_lengths.to(torch.int64).unsqueeze(1)
    last_source = (source - 1).clamp_min(0)
    frame = torch.arange(target_frames, dtype=torch.int64, device=device).unsqueeze(0)
    position = (frame * last_source).to(torch.float64) / (target - 1).clamp_min(1).to(torch.float64)
    position = torch.minimum(position, last_source.to(torch.float64))
    lower = position.floor().to(torch.int64)
    upper = torch.minimum(lower + 1, last_source)
    weight = (position - lower.to(torch.float64)).to(values.dtype).unsqueeze(-1)
    lower_values = values.gather(1, lower.unsqueeze(-1).expand(batch, target_frames, width))
    upper_values = values.gather(1, upper.unsqueeze(-1).expand(batch, target_frames, width))
    result = (1.0 - weight) * lower_values + weight * upper_values
    valid = frame.lt(target).logical_and(source.gt(0))
    return result.masked_fill(valid.logical_not().unsqueeze(-1), 0.0)


class GatedFusion(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.gate = nn.Linear(2 * d_model, d_model)

    def forward(self, keypoints, siglip):
        g = torch.sigmoid(self.gate(torch.cat([keypoints, siglip], dim=-1)))
        return g * keypoints + (1.0 - g) * siglip


class ScaledInput(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(d_model))
        self.bias = nn.Parameter(torch.zeros(d_model))

    def forward(self, x):
        return x * self.scale + self.bias


class MhsaModule(nn.Module):
    def __init__(self, d_model, heads, attention_dropout, dropout):
        super().__init__()
        self.scaled_input = ScaledInput(d_model)
        self.self_attn = MultiHeadSelfAttention(d_model, heads, attention_dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask):
        return self.dropout(self.self_attn(self.scaled_input(x), mask))


class FeedForwardModule(nn.Module):
    def __init__(self, d_model, ffn, dropout):
        super().__init__()
        self.scaled_input = ScaledInput(d_model)
        self.fc1 = nn.Linear(d_model, ffn)
        self.fc2 = nn.Linear(ffn, d_model)
        self.activation_dropout = nn.Dropout(dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        h = self.activation_dropout(F.silu(self.fc1(self.scaled_input(x))))
        return self.dropout(self.fc2(h))


class MaskedBatchNorm1d(nn.Module):  # statistics over real frames only; running stats updated like BatchNorm1d
    def __init__(self, features, eps, momentum):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(features))
        self.bias = nn.Parameter(torch.zeros(features))
        self.register_buffer("running_mean", torch.zeros(features))
        self.register_buffer("running_var", torch.ones(features))

    def forward(self, x, mask):
        inp = x.to(torch.float32)
        if self.training:
            padded = mask.logical_not().unsqueeze(1)
            count = mask.to(torch.float32).sum()
            safe_count = count.clamp_min(1.0)
            mean = inp.masked_fill(padded, 0.0).sum([0, 2]) / safe_count
            centered = (inp - mean.view(1, -1, 1)).masked_fill(padded, 0.0)
            variance = centered.square().sum([0, 2]) / safe_count
            with torch.no_grad():
                unbiased = variance.detach() * (count / (count - 1.0).clamp_min(1.0))
                self.running_mean.mul_(1.0 - self.momentum).add_(mean.detach() * self.momentum)
                self.running_var.mul_(1.0 - self.momentum).add_(unbiased * self.momentum)
        else:
            mean, variance = self.running_mean, self.running_var
        inverse_std = (variance + self.eps).rsqrt()
        scale = (self.weight * inverse_std).view(1, -1, 1)
        shift = (self.bias - mean * self.weight * inverse_std).view(1, -1, 1)
        return (inp * scale + shift).to(x.dtype)


class ConvModule(nn.Module):
    def __init__(self, d_model, expansion, kernel, dropout, bn_eps, bn_momentum):
        super().__init__()
        channels = d_model * expansion
        self.scaled_input = ScaledInput(d_model)
        self.pointwise_conv1 = nn.Conv1d(d_model, channels, 1)
        self.depthwise_conv = nn.Conv1d(channels, channels, kernel, padding=(kernel - 1) // 2, groups=channels, bias=False)
        self.batch_norm = MaskedBatchNorm1d(channels, bn_eps, bn_momentum)
        self.pointwise_conv2 = nn.Conv1d(channels, d_model, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask):
        padded = mask.logical_not().unsqueeze(1)
        h = self.scaled_input(x).transpose(1, 2)
        h = F.silu(self.pointwise_conv1(h))
        h = h.masked_fill(padded, 0.0)
        h = self.depthwise_conv(h)
        h = F.silu(self.batch_norm(h, mask))
        h = self.pointwise_conv2(h)
        return self.dropout(h.transpose(1, 2))


class SqueezeformerBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c["d_model"], c["ln_eps"]
        self.mhsa = MhsaModule(d, c["num_heads"], c["attention_dropout"], c["dropout"])
        self.mhsa_layer_norm = nn.LayerNorm(d, eps=eps)
        self.ffn1 = FeedForwardModule(d, c["ffn_dim"], c["dropout"])
        self.ffn1_layer_norm = nn.LayerNorm(d, eps=eps)
        self.conv = ConvModule(d, c["conv_expansion"], c["conv_kernel"], c["dropout"], c["bn_eps"], c["bn_momentum"])
        self.conv_layer_norm = nn.LayerNorm(d, eps=eps)
        self.ffn2 = FeedForwardModule(d, c["ffn_dim"], c["dropout"])
        self.ffn2_layer_norm = nn.LayerNorm(d, eps=eps)

    def forward(self, x, mask):
        h = self.mhsa_layer_norm(x + self.mhsa(x, mask))
        h = self.ffn1_layer_norm(h + self.ffn1(h))
        h = self.conv_layer_norm(h + self.conv(h, mask))
        h = self.ffn2_layer_norm(h + self.ffn2(h))
        return h.masked_fill(mask.logical_not().unsqueeze(-1), 0.0)


class SqueezeformerFusionEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.d_model, self.base = d, c["pos_base"]
        self.keypoint_proj = FeatureProjection(c["keypoint_dim"], d, c["dropout"], c["ln_eps"])
        self.siglip_proj = FeatureProjection(c["siglip_dim"], d, c["dropout"], c["ln_eps"])
        self.siglip_encoder = TemporalTransformerEncoder(c)
        self.fusion = GatedFusion(d)
        self.layer_norm = nn.LayerNorm(d, eps=c["ln_eps"])
        self.dropout = nn.Dropout(c["dropout"])
        self.blocks = nn.ModuleList([SqueezeformerBlock(c) for _ in range(c["num_blocks"])])

    def forward(self, keypoints, keypoint_mask, siglip, siglip_mask):
        k_mask = keypoint_mask.clone() if keypoint_mask.dtype == torch.bool else keypoint_mask.ne(0)
        s_mask = siglip_mask.clone() if siglip_mask.dtype == torch.bool else siglip_mask.ne(0)
        k_in = torch.nan_to_num(keypoints, 0.0, 0.0, 0.0).masked_fill(k_mask.logical_not().unsqueeze(-1), 0.0)
        s_in = siglip.masked_fill(s_mask.logical_not().unsqueeze(-1), 0.0)
        k = self.keypoint_proj(k_in)
        s = self.siglip_encoder(self.siglip_proj(s_in), s_mask)
        aligned = align_corners(s, s_mask.to(torch.int64).sum(1), k_mask.to(torch.int64).sum(1), keypoints.shape[1])
        h = self.fusion(k, aligned)
        h = h + sinusoidal_table(h.shape[1], self.d_model, self.base, h.device).to(h.dtype).unsqueeze(0)
        h = self.dropout(self.layer_norm(h))
        h = h.masked_fill(k_mask.logical_not().unsqueeze(-1), 0.0)
        for block in self.blocks:
            h = block(h, k_mask)
        return h, k_mask


class VisualAdapter(nn.Module):
    def __init__(self, input_dim, output_dim, dropout):
        super().__init__()
        self.fc = nn.Linear(input_dim, output_dim)
        self.layer_norm = nn.LayerNorm(output_dim, eps=1e-5)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask):
        h = self.dropout(F.gelu(self.layer_norm(self.fc(x))))
        return h.masked_fill(mask.eq(0).unsqueeze(-1), 0.0)


# ---- mBART (Modules/MBart, transformers' MBart* classes) ---------------------------------------------------------

class MBartAttention(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.heads, self.head_dim, self.p = heads, d // heads, dropout
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.q_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, hidden, key_value=None, mask=None):
        b, t, _ = hidden.shape
        source = hidden if key_value is None else key_value
        q = self._split(self.q_proj(hidden))
        k = self._split(self.k_proj(source))
        v = self._split(self.v_proj(source))
        context = attention(q, k, v, mask, self.p if self.training else 0.0)
        return self.out_proj(context.transpose(1, 2).reshape(b, t, self.heads * self.head_dim))

    def _split(self, x):
        return x.view(x.shape[0], x.shape[1], self.heads, self.head_dim).transpose(1, 2)


class MBartEncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.dropout, self.activation_dropout = c["dropout"], c["activation_dropout"]
        self.self_attn = MBartAttention(d, c["heads"], c["attention_dropout"])
        self.self_attn_layer_norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, c["ffn"])
        self.fc2 = nn.Linear(c["ffn"], d)
        self.final_layer_norm = nn.LayerNorm(d)

    def forward(self, x, mask):
        x = x + F.dropout(self.self_attn(self.self_attn_layer_norm(x), None, mask), self.dropout, self.training)
        h = F.gelu(self.fc1(self.final_layer_norm(x)))
        h = F.dropout(h, self.activation_dropout, self.training)
        return x + F.dropout(self.fc2(h), self.dropout, self.training)


class MBartDecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.dropout, self.activation_dropout = c["dropout"], c["activation_dropout"]
        self.self_attn = MBartAttention(d, c["heads"], c["attention_dropout"])
        self.self_attn_layer_norm = nn.LayerNorm(d)
        self.encoder_attn = MBartAttention(d, c["heads"], c["attention_dropout"])
        self.encoder_attn_layer_norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, c["ffn"])
        self.fc2 = nn.Linear(c["ffn"], d)
        self.final_layer_norm = nn.LayerNorm(d)

    def forward(self, x, self_mask, encoder_states, cross_mask):
        x = x + F.dropout(self.self_attn(self.self_attn_layer_norm(x), None, self_mask), self.dropout, self.training)
        x = x + F.dropout(self.encoder_attn(self.encoder_attn_layer_norm(x), encoder_states, cross_mask), self.dropout, self.training)
        h = F.gelu(self.fc1(self.final_layer_norm(x)))
        h = F.dropout(h, self.activation_dropout, self.training)
        return x + F.dropout(self.fc2(h), self.dropout, self.training)


class MBartLearnedPositionalEmbedding(nn.Module):
    def __init__(self, max_positions, d):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(max_positions + 2, d))

    def forward(self, length):
        rows = torch.arange(2, 2 + length, dtype=torch.int64, device=self.weight.device)
        return self.weight.index_select(0, rows).unsqueeze(0)


def padding_mask(attention_mask, dtype):  # MBartMasks.Padding: (B, S) -> additive (B, 1, 1, S)
    masked = attention_mask.eq(0).unsqueeze(1).unsqueeze(1)
    return torch.zeros(masked.shape, dtype=dtype, device=attention_mask.device).masked_fill(masked, torch.finfo(dtype).min)


def causal_mask(length, dtype, device):  # MBartMasks.Causal without cache: (1, 1, T, T)
    queries = torch.arange(0, length, dtype=torch.int64, device=device).unsqueeze(1)
    keys = torch.arange(0, length, dtype=torch.int64, device=device).unsqueeze(0)
    masked = keys.gt(queries).unsqueeze(0).unsqueeze(0)
    return torch.zeros(masked.shape, dtype=dtype, device=device).masked_fill(masked, torch.finfo(dtype).min)


class MBartEncoder(nn.Module):
    def __init__(self, c, shared):
        super().__init__()
        self.dropout = c["dropout"]
        self.embed_tokens = shared
        self.embed_positions = MBartLearnedPositionalEmbedding(c["max_positions"], c["d_model"])
        self.layers = nn.ModuleList([MBartEncoderLayer(c) for _ in range(c["encoder_layers"])])
        self.layernorm_embedding = nn.LayerNorm(c["d_model"])
        self.layer_norm = nn.LayerNorm(c["d_model"])

    def forward(self, inputs_embeds, attention_mask):  # inputs_embeds are never scaled
        x = self.layernorm_embedding(inputs_embeds + self.embed_positions(inputs_embeds.shape[1]))
        x = F.dropout(x, self.dropout, self.training)
        mask = padding_mask(attention_mask, x.dtype)
        for layer in self.layers:
            x = layer(x, mask)
        return self.layer_norm(x)


class MBartDecoder(nn.Module):
    def __init__(self, c, shared):
        super().__init__()
        self.dropout = c["dropout"]
        self.embed_scale = math.sqrt(c["d_model"]) if c["scale_embedding"] else 1.0
        self.embed_tokens = shared
        self.embed_positions = MBartLearnedPositionalEmbedding(c["max_positions"], c["d_model"])
        self.layers = nn.ModuleList([MBartDecoderLayer(c) for _ in range(c["decoder_layers"])])
        self.layernorm_embedding = nn.LayerNorm(c["d_model"])
        self.layer_norm = nn.LayerNorm(c["d_model"])

    def forward(self, input_ids, encoder_states, encoder_attention_mask):
        embeds = self.embed_tokens(input_ids) * self.embed_scale
        x = self.layernorm_embedding(embeds + self.embed_positions(input_ids.shape[1]))
        x = F.dropout(x, self.dropout, self.training)
        self_mask = causal_mask(input_ids.shape[1], x.dtype, x.device)
        cross_mask = padding_mask(encoder_attention_mask, x.dtype)
        for layer in self.layers:
            x = layer(x, self_mask, encoder_states, cross_mask)
        return self.layer_norm(x)


class MBartModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.shared = nn.Embedding(c["vocab"], c["d_model"], padding_idx=PAD)
        self.encoder = MBartEncoder(c, self.shared)
        self.decoder = MBartDecoder(c, self.shared)


class MBartForConditionalGeneration(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.model = MBartModel(c)
        self.register_buffer("final_logits_bias", torch.zeros(1, c["vocab"]))
        std = c["init_std"]
        with torch.no_grad():  # MBartLayers: normal(0, init_std) weights, zero biases, padding row 0
            for module in self.modules():
                if isinstance(module, nn.Linear):
                    module.weight.normal_(0, std)
                    module.bias.zero_()
                elif isinstance(module, (nn.Embedding, MBartLearnedPositionalEmbedding)):
                    module.weight.normal_(0, std)
            self.model.shared.weight[PAD].zero_()

    def lm_logits(self, hidden):
        return F.linear(hidden, self.model.shared.weight) + self.final_logits_bias


def shift_tokens_right(labels, pad):  # MBartLoss.ShiftTokensRight
    tokens = labels.masked_fill(labels.eq(IGNORE_INDEX), pad)
    last_index = tokens.ne(pad).sum(1, dtype=torch.int64) - 1
    if last_index.lt(0).any().item():
        raise ValueError("a label row holds only padding")
    start = tokens.gather(1, last_index.unsqueeze(1))
    return torch.cat([start, tokens.narrow(1, 0, tokens.shape[1] - 1)], 1)


class SignTranslationModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.fusion_encoder = SqueezeformerFusionEncoder(config["fusion"])
        self.adapter = VisualAdapter(config["fusion"]["d_model"], config["mbart"]["d_model"], config["adapter_dropout"])
        self.mbart = MBartForConditionalGeneration(config["mbart"])

    def forward(self, keypoints, keypoint_mask, siglip, siglip_mask, labels):
        hidden, k_mask = self.fusion_encoder(keypoints, keypoint_mask, siglip, siglip_mask)
        embeds = self.adapter(hidden, k_mask)
        mask = k_mask.to(torch.int64)
        decoder_input_ids = shift_tokens_right(labels, PAD)
        mbart = self.mbart.model
        encoder_states = mbart.encoder(embeds, mask)
        decoder_states = mbart.decoder(decoder_input_ids, encoder_states, mask)
        logits = self.mbart.lm_logits(decoder_states)
        targets = labels.masked_fill(labels.eq(PAD), IGNORE_INDEX).reshape(-1)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets, ignore_index=IGNORE_INDEX,
                               label_smoothing=self.config["label_smoothing"])


# ---- optimizer as OptimizerFactory builds it ---------------------------------------------------------------------

def group_of(name):  # SignTranslationModel.GroupOf
    if name.startswith("fusion_encoder.") or name.startswith("adapter.") or name.startswith("gloss_head."):
        return "encoder"
    if name.startswith("mbart.model.encoder.") and name != "mbart.model.encoder.embed_tokens.weight":
        return "text_encoder"
    return "decoder"


def adamw(model, lr=1e-3, weight_decay=0.01):
    """AdamW with a decayed (dim >= 2) and an undecayed group per named group, betas (0.9, 0.999), eps 1e-8."""
    groups = {"encoder": [], "text_encoder": [], "decoder": []}
    for name, p in model.named_parameters():
        if p.requires_grad:
            groups[group_of(name)].append(p)
    param_groups = []
    for params in groups.values():
        decayed = [p for p in params if p.dim() >= 2]
        undecayed = [p for p in params if p.dim() < 2]
        if decayed:
            param_groups.append(dict(params=decayed, lr=lr, weight_decay=weight_decay))
        if undecayed:
            param_groups.append(dict(params=undecayed, lr=lr, weight_decay=0.0))
    return torch.optim.AdamW(param_groups, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=weight_decay)


def train_step(model, optimizer, parameters, batch):
    """One step as Trainer.TrainStep runs it (AMP off, no accumulation); returns the loss and the forward, backward,
    optimizer and whole-step wall times and the step's CPU time (all threads of the process)."""
    cpu_start = time.process_time()
    start = time.perf_counter()
    model.train()
    optimizer.zero_grad()
    loss = model(*batch)
    forward = time.perf_counter()
    loss.backward()
    backward = time.perf_counter()
    torch.nn.utils.clip_grad_norm_(parameters, 1.0)
    for group in optimizer.param_groups:  # OptimizerFactory.SetLearningRates (schedule multiplier 1)
        group["lr"] = 1e-3
    optimizer.step()
    value = loss.item()
    end = time.perf_counter()
    return value, forward - start, backward - forward, end - backward, end - start, time.process_time() - cpu_start


# ---- the batch (TrainStepBatch in TrainStepBenchmark.cs: the same lengths) -------------------------------------

def make_batch(batch, frames, label_length, vocab, generator):
    ts = (frames + 1) // 2
    lengths = [frames - int(math.floor(0.2 * frames * b / batch)) for b in range(batch)]
    siglip_lengths = [(n + 1) // 2 for n in lengths]
    label_lengths = [label_length - b % 4 for b in range(batch)]
    k_mask = torch.arange(frames).unsqueeze(0).lt(torch.tensor(lengths).unsqueeze(1))
    s_mask = torch.arange(ts).unsqueeze(0).lt(torch.tensor(siglip_lengths).unsqueeze(1))
    keypoints = torch.randn(batch, frames, 225, generator=generator).masked_fill(k_mask.logical_not().unsqueeze(-1), 0.0)
    siglip = F.normalize(torch.randn(batch, ts, 768, generator=generator), p=2.0, dim=-1)
    siglip = siglip.masked_fill(s_mask.logical_not().unsqueeze(-1), 0.0)
    words = torch.randint(4, vocab - 1, (batch, label_length), generator=generator)
    labels = torch.full((batch, label_length), PAD, dtype=torch.int64)
    for row, n in enumerate(label_lengths):
        labels[row, :n - 2] = words[row, :n - 2]
        labels[row, n - 2] = EOS
        labels[row, n - 1] = vocab - 1
    return keypoints, k_mask, siglip, s_mask, labels


# ---- safetensors (the header format; no safetensors package on Debian 12) ----------------------------------------

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32, "BOOL": np.bool_, "U8": np.uint8}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def parity(folder):
    reference = json.load(open(f"{folder}/reference.json"))
    weights = load_safetensors(f"{folder}/model.safetensors")
    batch_tensors = load_safetensors(f"{folder}/batch.safetensors")
    vocab = weights["mbart.model.shared.weight"].shape[0]
    model = SignTranslationModel(small_config(vocab, without_dropout=True))
    ours = {n: tuple(p.shape) for n, p in model.named_parameters()}
    theirs = {n: tuple(s) for n, s in reference["parameter_shapes"].items()}
    count = sum(p.numel() for p in model.parameters())
    state = model.state_dict()
    aliases = {"mbart.model.encoder.embed_tokens.weight", "mbart.model.decoder.embed_tokens.weight"}
    missing = sorted(set(state) - set(weights) - aliases)
    unexpected = sorted(set(weights) - set(state))
    with torch.no_grad():
        for name, tensor in weights.items():
            if name in state:
                state[name].copy_(tensor)
    batch = tuple(batch_tensors[k] for k in ("keypoints", "keypoint_mask", "siglip", "siglip_mask", "labels"))
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = adamw(model)
    model.train()
    optimizer.zero_grad()
    loss = model(*batch)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(parameters, 1.0)
    optimizer.step()
    with torch.no_grad():
        loss_after = model(*batch)
        model.eval()
        eval_loss_after = model(*batch)
    ours_values = dict(loss=loss.item(), grad_norm=norm.item(), loss_after_step=loss_after.item(), eval_loss_after_step=eval_loss_after.item())
    report = dict(
        parameters=dict(torchsharp=reference["parameters"], pytorch=count),
        names_and_shapes_equal=ours == theirs,
        shape_differences=sorted(n for n in set(ours) | set(theirs) if ours.get(n) != theirs.get(n)),
        missing_weights=missing, unexpected_weights=unexpected,
        values={k: dict(torchsharp=reference[k], pytorch=v, abs_diff=abs(reference[k] - v)) for k, v in ours_values.items()},
    )
    report["max_abs_diff"] = max(v["abs_diff"] for v in report["values"].values())
    report["ok"] = bool(report["names_and_shapes_equal"] and not missing and not unexpected and count == reference["parameters"]
                        and report["max_abs_diff"] <= 1e-4)
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


def blas_library():
    """The BLAS library this process runs its matrix products on (Debian's python3-torch calls libblas.so.3, which
    the alternatives system points at the reference BLAS unless OpenBLAS or BLIS is installed)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    return ", ".join(sorted(paths)) or "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--label-length", type=int, default=20)
    parser.add_argument("--vocab", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--parity", metavar="DIR")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.parity:
        return parity(args.parity)

    torch.manual_seed(args.seed)
    model = SignTranslationModel(small_config(args.vocab))
    optimizer = adamw(model)
    parameters = [p for p in model.parameters() if p.requires_grad]
    batch = make_batch(args.batch_size, args.frames, args.label_length, args.vocab, torch.Generator().manual_seed(args.seed))
    results = dict(step_ms=[], forward_ms=[], backward_ms=[], optimizer_ms=[], cpu_ms=[])
    losses = []
    for i in range(args.warmup + args.steps):
        loss, f, b, o, total, cpu = train_step(model, optimizer, parameters, batch)
        if i < args.warmup:
            continue
        losses.append(loss)
        for key, value in zip(("step_ms", "forward_ms", "backward_ms", "optimizer_ms", "cpu_ms"), (total, f, b, o, cpu)):
            results[key].append(1000 * value)
    print(json.dumps(dict(
        side="pytorch", versions=f"PyTorch {torch.__version__}, Python {sys.version.split()[0]}",
        threads=torch.get_num_threads(), blas=blas_library(), preset="small", parameters=sum(p.numel() for p in model.parameters()),
        shapes=f"B {args.batch_size}, keypoints ({args.batch_size}, {args.frames}, 225), SigLIP ({args.batch_size}, "
               f"{(args.frames + 1) // 2}, 768), labels ({args.batch_size}, {args.label_length}), vocab {args.vocab}",
        first_loss=losses[0], last_loss=losses[-1], **results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
