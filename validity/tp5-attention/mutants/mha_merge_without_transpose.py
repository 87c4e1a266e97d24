# lose: Q3
# message: tp5_mha_merge_positions
# why: heads split with view + transpose, but merged back with a reshape without transposing first (mixes heads and positions)
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.W_q = nn.Linear(embed_dim, embed_dim)
        self.W_k = nn.Linear(embed_dim, embed_dim)
        self.W_v = nn.Linear(embed_dim, embed_dim)
        self.W_o = nn.Linear(embed_dim, embed_dim)

    def split(self, x):  # (L, B, E) -> (B, h, L, d)
        L, B, _ = x.shape
        return x.view(L, B, self.num_heads, self.head_dim).permute(1, 2, 0, 3)

    def forward(self, query, key, value, mask=None):
        Lq, B, E = query.shape
        q, k, v = self.split(self.W_q(query)), self.split(self.W_k(key)), self.split(self.W_v(value))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (B, h, Lq, Lk)
        if mask is not None:
            scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
        attn = scores.softmax(-1)
        out = (attn @ v).reshape(Lq, B, E)  # (B, h, Lq, d) read as (Lq, B, E)
        return self.W_o(out), attn.mean(1)
