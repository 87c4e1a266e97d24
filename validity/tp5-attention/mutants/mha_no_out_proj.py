# lose: Q3
# message: tp5_mha_layout_unknown
# why: concatenates the heads and stops there: no output projection W^O
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        assert embed_dim % num_heads == 0
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.qkv = nn.Linear(embed_dim, 3 * embed_dim)

    def forward(self, query, key, value, mask=None):
        E, h = self.embed_dim, self.num_heads
        Lq, B, _ = query.shape
        Lk = key.shape[0]
        Wq, Wk, Wv = self.qkv.weight.split(E)
        bq, bk, bv = self.qkv.bias.split(E)
        q = F.linear(query, Wq, bq).view(Lq, B * h, E // h)
        k = F.linear(key, Wk, bk).view(Lk, B * h, E // h)
        v = F.linear(value, Wv, bv).view(Lk, B * h, E // h)
        if mask is not None:
            mask = mask.expand(B, Lq, Lk).repeat_interleave(h, 0)
        out, w = scaled_dot_product_attention(q, k, v, mask)
        return out.reshape(Lq, B, E), w.view(B, h, Lq, Lk).mean(1)
