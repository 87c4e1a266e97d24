# lose: Q3
# message: tp5_mha_wraps_torch
# why: MultiHeadAttention that just holds an nn.MultiheadAttention and converts the mask (forbidden: worth 0)
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.mha = nn.MultiheadAttention(embed_dim, num_heads)

    def forward(self, query, key, value, mask=None):
        attn_mask = None
        if mask is not None:
            B, Lq, Lk = query.shape[1], query.shape[0], key.shape[0]
            attn_mask = ~mask.expand(B, Lq, Lk).repeat_interleave(self.num_heads, 0)
        return self.mha(query, key, value, attn_mask=attn_mask)
