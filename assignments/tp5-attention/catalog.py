"""Student-facing messages of the tp5-attention grading tests (merged into messages.CATALOG).

Each realistic mistake of the attention lab has its own key; the text says what was called, what
came back and what the lab expects, in the notebook's terms.
"""

CATALOG: dict[str, dict[str, str]] = {
    # -- conventions -------------------------------------------------------------------------------------
    "tp5_batch_first": {
        "fr": "{function} travaille « batch d'abord » : appelée avec des tenseurs {given} (séquence d'abord, "
        "comme dans le cours), elle renvoie {got} ; le TP attend {expected}. Les autres tests se sont adaptés.",
        "en": "{function} works batch-first: called with {given} tensors (sequence-first, as in the course), "
        "it returns {got}; the lab expects {expected}. The other tests adapted to it.",
    },
    "tp5_scores_transposed": {
        "fr": "{function} renvoie des scores de forme {got} : le TP attend (L, B) = {expected}, une ligne par "
        "position de la source. Les autres tests se sont adaptés.",
        "en": "{function} returns scores of shape {got}: the lab expects (L, B) = {expected}, one row per source "
        "position. The other tests adapted to it.",
    },
    # -- Q1 scores and weights -----------------------------------------------------------------------------
    "tp5_general_transposed": {
        "fr": "score_general calcule s^T W_a^T h au lieu de s^T W_a h : W_a (Hs, Hh) est utilisée transposée.",
        "en": "score_general computes s^T W_a^T h instead of s^T W_a h: W_a (Hs, Hh) is used transposed.",
    },
    "tp5_additive_no_tanh": {
        "fr": "score_additive oublie la tangente hyperbolique : le score est v_a^T tanh(W_1 s + W_2 h).",
        "en": "score_additive leaves out the hyperbolic tangent: the score is v_a^T tanh(W_1 s + W_2 h).",
    },
    "tp5_additive_swapped": {
        "fr": "score_additive applique W_1 aux états de l'encodeur et W_2 à l'état du décodeur : c'est W_1 s + W_2 h.",
        "en": "score_additive applies W_1 to the encoder states and W_2 to the decoder state: it is W_1 s + W_2 h.",
    },
    "tp5_weights_wrong_axis": {
        "fr": "{function} fait le softmax sur la mauvaise dimension : les poids d'un exemple doivent sommer à 1 "
        "sur les positions de la source (dimension 0 de (L, B)), pas sur le batch.",
        "en": "{function} takes the softmax over the wrong dimension: the weights of one example must sum to 1 "
        "over the source positions (dimension 0 of (L, B)), not over the batch.",
    },
    "tp5_weights_mask_after_softmax": {
        "fr": "{function} applique le masque après le softmax : les poids restants ne somment plus à 1. Masquez "
        "les scores (valeur -inf) avant le softmax.",
        "en": "{function} applies the mask after the softmax: the remaining weights no longer sum to 1. Mask the "
        "scores (value -inf) before the softmax.",
    },
    "tp5_weights_mask_zero": {
        "fr": "{function} remplace les scores masqués par 0 au lieu de -inf : exp(0) = 1, le remplissage reçoit "
        "donc un poids non nul.",
        "en": "{function} replaces the masked scores with 0 instead of -inf: exp(0) = 1, so the padding still "
        "gets a weight.",
    },
    "tp5_weights_mask_inverted": {
        "fr": "{function} inverse le masque : True désigne une vraie position (à garder), False le remplissage "
        "(poids 0).",
        "en": "{function} inverts the mask: True marks a real position (kept), False the padding (weight 0).",
    },
    "tp5_weights_masked_not_zero": {
        "fr": "{function} : une position masquée reçoit le poids {got} (exemple {example}, position "
        "{position}) au lieu d'exactement 0.",
        "en": "{function}: a masked position gets weight {got} (example {example}, position {position}) "
        "instead of exactly 0.",
    },
    "tp5_weights_sum": {
        "fr": "{function} : les poids de l'exemple {example} somment à {total} au lieu de 1.",
        "en": "{function}: the weights of example {example} sum to {total} instead of 1.",
    },
    "tp5_formula": {
        "fr": "{function} ne suit pas la formule du cours {formula} : écart maximal {worst} sur des entrées "
        "aléatoires (float64).",
        "en": "{function} does not follow the course's formula {formula}: largest difference {worst} on random "
        "inputs (float64).",
    },
    "tp5_no_gradient": {
        "fr": "{function} : aucun gradient ne remonte vers {what} (un .detach(), .item(), .numpy() ou un calcul "
        "hors de torch coupe le graphe).",
        "en": "{function}: no gradient flows back to {what} (a .detach(), .item(), .numpy() or a computation "
        "outside torch cuts the graph).",
    },
    "tp5_gradient_values": {
        "fr": "{function} : le gradient par rapport à {what} diffère de celui de la formule (écart maximal {worst}).",
        "en": "{function}: the gradient with respect to {what} differs from the formula's (largest difference "
        "{worst}).",
    },
    # -- Q2 scaled dot-product attention -------------------------------------------------------------------
    "tp5_sdpa_one_output": {
        "fr": "scaled_dot_product_attention doit renvoyer un couple (output, weights) ; reçu : {got}.",
        "en": "scaled_dot_product_attention must return a pair (output, weights); got: {got}.",
    },
    "tp5_sdpa_weights_shape": {
        "fr": "scaled_dot_product_attention(Q {q}, K {k}, V {v}) renvoie des poids {got} : le TP attend "
        "(B, Lq, Lk) = {expected}.",
        "en": "scaled_dot_product_attention(Q {q}, K {k}, V {v}) returns weights {got}: the lab expects "
        "(B, Lq, Lk) = {expected}.",
    },
    "tp5_sdpa_no_scale": {
        "fr": "{function} ne divise pas les scores par sqrt(d_k) : il manque le facteur 1/sqrt(d_k) de "
        "softmax(Q K^T / sqrt(d_k)) V.",
        "en": "{function} does not divide the scores by sqrt(d_k): the 1/sqrt(d_k) factor of "
        "softmax(Q K^T / sqrt(d_k)) V is missing.",
    },
    "tp5_sdpa_scale_dk": {
        "fr": "{function} divise les scores par d_k au lieu de sqrt(d_k).",
        "en": "{function} divides the scores by d_k instead of sqrt(d_k).",
    },
    "tp5_sdpa_scale_dv": {
        "fr": "{function} normalise par la dimension des valeurs : le facteur est 1/sqrt(d_k), avec d_k la "
        "dimension des requêtes et des clés (ici d_k ≠ d_v).",
        "en": "{function} scales by the values' dimension: the factor is 1/sqrt(d_k), d_k being the dimension "
        "of the queries and keys (here d_k ≠ d_v).",
    },
    "tp5_sdpa_softmax_axis": {
        "fr": "{function} fait le softmax sur les requêtes : pour chaque requête, les poids doivent sommer à 1 "
        "sur les clés (la dernière dimension de (B, Lq, Lk)).",
        "en": "{function} takes the softmax over the queries: for each query, the weights must sum to 1 over "
        "the keys (the last dimension of (B, Lq, Lk)).",
    },
    "tp5_sdpa_mask_after_softmax": {
        "fr": "{function} applique le masque après le softmax : les poids d'une requête ne somment plus à 1. "
        "Mettez -inf dans les scores masqués avant le softmax.",
        "en": "{function} applies the mask after the softmax: a query's weights no longer sum to 1. Put -inf "
        "in the masked scores before the softmax.",
    },
    "tp5_sdpa_mask_zero": {
        "fr": "{function} met 0 dans les scores masqués au lieu de -inf : les clés interdites gardent un poids.",
        "en": "{function} puts 0 in the masked scores instead of -inf: the forbidden keys keep a weight.",
    },
    "tp5_sdpa_mask_inverted": {
        "fr": "{function} inverse le masque : True signifie « cette requête peut regarder cette clé ».",
        "en": "{function} inverts the mask: True means 'this query may look at this key'.",
    },
    "tp5_sdpa_values": {
        "fr": "{function} diffère de torch.nn.functional.scaled_dot_product_attention ({what}, {case}) : écart "
        "maximal {worst}.",
        "en": "{function} differs from torch.nn.functional.scaled_dot_product_attention ({what}, {case}): "
        "largest difference {worst}.",
    },
    "tp5_sdpa_uses_torch": {
        "fr": "scaled_dot_product_attention appelle {what} : c'est la fonction qu'on vous demande d'écrire.",
        "en": "scaled_dot_product_attention calls {what}: that is the function you are asked to write.",
    },
    # -- Q3 multi-head attention ---------------------------------------------------------------------------
    "tp5_mha_wraps_torch": {
        "fr": "MultiHeadAttention s'appuie sur {what} : la question demande de l'écrire à la main ; elle ne "
        "rapporte aucun point.",
        "en": "MultiHeadAttention relies on {what}: the question asks you to write it by hand; it earns no "
        "points.",
    },
    "tp5_mha_shape": {
        "fr": "{call} renvoie {got} ; le TP attend (output {expected_out}, weights {expected_w}).",
        "en": "{call} returns {got}; the lab expects (output {expected_out}, weights {expected_w}).",
    },
    "tp5_mha_no_scale": {
        "fr": "MultiHeadAttention ne divise pas les scores de chaque tête par sqrt(E / num_heads).",
        "en": "MultiHeadAttention does not divide each head's scores by sqrt(E / num_heads).",
    },
    "tp5_mha_scale_embed": {
        "fr": "MultiHeadAttention divise les scores par sqrt(embed_dim) : dans chaque tête, d_k = "
        "embed_dim / num_heads.",
        "en": "MultiHeadAttention divides the scores by sqrt(embed_dim): inside each head, d_k = "
        "embed_dim / num_heads.",
    },
    "tp5_mha_merge_positions": {
        "fr": "MultiHeadAttention recolle les têtes dans le mauvais ordre : la sortie (B·h, Lq, d) est remise "
        "en (Lq, B, E) sans ramener d'abord les têtes à côté les unes des autres, ce qui mélange positions et "
        "têtes. Transposez avant le reshape.",
        "en": "MultiHeadAttention merges the heads in the wrong order: the (B·h, Lq, d) output is reshaped to "
        "(Lq, B, E) without first putting the heads side by side, which mixes positions and heads. Transpose "
        "before the reshape.",
    },
    "tp5_mha_weights_not_averaged": {
        "fr": "MultiHeadAttention renvoie des poids qui ne sont pas la moyenne des têtes (somme, ou une seule "
        "tête) : chaque ligne doit sommer à 1.",
        "en": "MultiHeadAttention returns weights that are not the heads' average (their sum, or one head): "
        "each row must sum to 1.",
    },
    "tp5_mha_layout_unknown": {
        "fr": "Les paramètres de MultiHeadAttention({E}, {heads}) n'ont pas pu être lus comme quatre projections "
        "E → E (q, k, v, sortie) avec leurs biais : {shapes}. Gardez une couche E → 3E ou trois couches E → E, "
        "et une couche de sortie E → E.",
        "en": "The parameters of MultiHeadAttention({E}, {heads}) could not be read as four E → E projections "
        "(q, k, v, output) with their biases: {shapes}. Keep one E → 3E layer or three E → E layers, and an "
        "E → E output layer.",
    },
    "tp5_mha_values": {
        "fr": "MultiHeadAttention({E}, {heads}) ne se comporte pas comme nn.MultiheadAttention avec les mêmes "
        "poids ({case}) : écart maximal {worst} sur {what}, quelle que soit la lecture de vos paramètres.",
        "en": "MultiHeadAttention({E}, {heads}) does not behave as nn.MultiheadAttention with the same weights "
        "({case}): largest difference {worst} on {what}, whichever reading of your parameters.",
    },
    "tp5_mha_no_bias": {
        "fr": "MultiHeadAttention n'a pas de biais pour {which} : comme nn.MultiheadAttention par défaut, chaque "
        "projection a un biais.",
        "en": "MultiHeadAttention has no bias for {which}: as nn.MultiheadAttention by default, every projection "
        "has a bias.",
    },
    "tp5_mha_mask_leak": {
        "fr": "{call} : modifier une clé et une valeur masquées change la sortie (écart {worst}) ; une position "
        "masquée ne doit avoir aucune influence.",
        "en": "{call}: changing a masked key and value changes the output (difference {worst}); a masked "
        "position must have no influence.",
    },
    "tp5_mha_query_leak": {
        "fr": "{call} : modifier la requête {position} change la sortie des autres requêtes (écart {worst}) ; "
        "chaque requête a sa propre attention.",
        "en": "{call}: changing query {position} changes the other queries' outputs (difference {worst}); each "
        "query has its own attention.",
    },
    "tp5_mha_key_order": {
        "fr": "{call} : permuter ensemble les clés et les valeurs change la sortie (écart {worst}) ; l'attention "
        "ne dépend pas de l'ordre des paires (clé, valeur).",
        "en": "{call}: permuting the keys and values together changes the output (difference {worst}); "
        "attention does not depend on the order of the (key, value) pairs.",
    },
    # -- Q4 bidirectional GRU ------------------------------------------------------------------------------
    "tp5_bigru_uses_nn_gru": {
        "fr": "BiGRUEncoder s'appuie sur {what} : la question demande deux nn.GRUCell, une par sens.",
        "en": "BiGRUEncoder relies on {what}: the question asks for two nn.GRUCell, one per direction.",
    },
    "tp5_bigru_shape": {
        "fr": "{call} renvoie {got} ; le TP attend (outputs {expected_out}, h_n {expected_h}).",
        "en": "{call} returns {got}; the lab expects (outputs {expected_out}, h_n {expected_h}).",
    },
    "tp5_bigru_not_rereversed": {
        "fr": "BiGRUEncoder ne remet pas les états du sens arrière dans l'ordre des positions : outputs[t] doit "
        "concaténer l'état avant et l'état arrière de la MÊME position t.",
        "en": "BiGRUEncoder does not put the backward states back in position order: outputs[t] must "
        "concatenate the forward and backward states of the SAME position t.",
    },
    "tp5_bigru_backward_not_flipped": {
        "fr": "Le sens arrière de BiGRUEncoder lit la séquence de gauche à droite : il doit partir de la "
        "dernière position et remonter vers la première.",
        "en": "BiGRUEncoder's backward direction reads the sequence left to right: it must start at the last "
        "position and go back to the first.",
    },
    "tp5_bigru_backward_first": {
        "fr": "BiGRUEncoder concatène [arrière ; avant] : le TP attend le sens avant d'abord, comme nn.GRU.",
        "en": "BiGRUEncoder concatenates [backward; forward]: the lab expects the forward direction first, as "
        "nn.GRU does.",
    },
    "tp5_bigru_layout_unknown": {
        "fr": "Les paramètres de BiGRUEncoder({D}, {H}) n'ont pas pu être lus comme deux nn.GRUCell({D}, {H}) : "
        "{shapes}.",
        "en": "The parameters of BiGRUEncoder({D}, {H}) could not be read as two nn.GRUCell({D}, {H}): {shapes}.",
    },
    "tp5_bigru_values": {
        "fr": "BiGRUEncoder diffère de nn.GRU(bidirectional=True) avec les poids de vos deux cellules ({what}, "
        "L = {L}) : écart maximal {worst}.",
        "en": "BiGRUEncoder differs from nn.GRU(bidirectional=True) with the weights of your two cells ({what}, "
        "L = {L}): largest difference {worst}.",
    },
    "tp5_bigru_hn": {
        "fr": "Le h_n de BiGRUEncoder n'est pas celui de nn.GRU : h_n[0] est l'état avant après la dernière "
        "position, h_n[1] l'état arrière après la première (écart {worst}).",
        "en": "BiGRUEncoder's h_n is not nn.GRU's: h_n[0] is the forward state after the last position, h_n[1] "
        "the backward state after the first one (difference {worst}).",
    },
    # -- Q5 sequence to sequence with attention ------------------------------------------------------------
    "tp5_s2s_output": {
        "fr": "{call} doit renvoyer un couple (logits, weights) ; reçu : {got}.",
        "en": "{call} must return a pair (logits, weights); got: {got}.",
    },
    "tp5_s2s_logits_shape": {
        "fr": "{call} renvoie des logits {got} ; le TP attend (T, B, vocab_size) = {expected}.",
        "en": "{call} returns logits {got}; the lab expects (T, B, vocab_size) = {expected}.",
    },
    "tp5_s2s_weights_shape": {
        "fr": "{call} renvoie des poids d'attention {got} ; le TP attend (T, L, B) = {expected}, un vecteur de "
        "poids sur la source par pas du décodeur.",
        "en": "{call} returns attention weights {got}; the lab expects (T, L, B) = {expected}, one vector of "
        "weights over the source per decoder step.",
    },
    "tp5_s2s_weights_sum": {
        "fr": "{call} : au pas {step} du décodeur, les poids d'attention de l'exemple {example} somment à "
        "{total} au lieu de 1.",
        "en": "{call}: at decoder step {step}, the attention weights of example {example} sum to {total} "
        "instead of 1.",
    },
    "tp5_s2s_weights_padding": {
        "fr": "{call} : le remplissage de la source reçoit un poids d'attention ({got} à la position {position} "
        "de l'exemple {example}) ; le masque src != PAD doit lui donner exactement 0.",
        "en": "{call}: the source padding gets an attention weight ({got} at position {position} of example "
        "{example}); the mask src != PAD must give it exactly 0.",
    },
    "tp5_s2s_score_uses_new_state": {
        "fr": "Les poids d'attention du pas t dépendent du symbole d'entrée de ce même pas : le score est "
        "calculé avec le nouvel état s_t au lieu de l'état précédent s_(t-1) (Bahdanau : e_t,i = "
        "score(s_(t-1), h_i), puis le contexte entre dans la cellule).",
        "en": "The attention weights of step t depend on that same step's input symbol: the score uses the "
        "new state s_t instead of the previous state s_(t-1) (Bahdanau: e_t,i = score(s_(t-1), h_i), then "
        "the context goes into the cell).",
    },
    "tp5_s2s_future_leak": {
        "fr": "Les logits du pas {step} changent quand on modifie tgt_in aux pas suivants : le décodeur regarde "
        "l'avenir (écart {worst}).",
        "en": "The logits of step {step} change when tgt_in is changed at later steps: the decoder looks ahead "
        "(difference {worst}).",
    },
    "tp5_s2s_context_not_in_cell": {
        "fr": "La cellule du décodeur ne lit que l'embedding du symbole précédent (matrice d'entrée {got}) : "
        "le contexte c_t doit y entrer avec lui, s_t = GRUCell([embedding(y_(t-1)) ; c_t], s_(t-1)), soit "
        "emb_dim + 2H entrées ({expected}) (étape 3 du modèle).",
        "en": "The decoder cell reads the previous symbol's embedding alone (input matrix {got}): the context "
        "c_t must go in with it, s_t = GRUCell([embedding(y_(t-1)); c_t], s_(t-1)), i.e. emb_dim + 2H inputs "
        "({expected}) (step 3 of the model).",
    },
    "tp5_s2s_ignores_source": {
        "fr": "Les logits ne changent pas quand on change la phrase source : le décodeur n'utilise pas "
        "l'encodeur.",
        "en": "The logits do not change when the source sentence changes: the decoder does not use the encoder.",
    },
    "tp5_s2s_learning": {
        "fr": "Après le court apprentissage du correcteur ({steps} pas d'Adam, lr = {lr}), Seq2SeqAttention "
        "renverse exactement {accuracy} des suites jamais vues ; il en faut au moins {threshold} (un décodeur "
        "à contexte fixe plafonne vers {baseline}). Vérifiez que le contexte entre dans la cellule du décodeur "
        "et que le score utilise l'état précédent.",
        "en": "After the grader's short training ({steps} Adam steps, lr = {lr}), Seq2SeqAttention exactly "
        "reverses {accuracy} of the unseen strings; at least {threshold} is needed (a fixed-context decoder "
        "stays around {baseline}). Check that the context goes into the decoder cell and that the score uses "
        "the previous state.",
    },
    "tp5_s2s_training_failed": {
        "fr": "L'apprentissage de Seq2SeqAttention par le correcteur a échoué : {detail}",
        "en": "The grader's training of Seq2SeqAttention failed: {detail}",
    },
    # -- Q6 temperature sampling ---------------------------------------------------------------------------
    "tp5_sample_shape": {
        "fr": "{call} renvoie {got} ; le TP attend un LongTensor {expected}, un indice par ligne de logits.",
        "en": "{call} returns {got}; the lab expects a LongTensor {expected}, one index per row of logits.",
    },
    "tp5_sample_out_of_range": {
        "fr": "{call} renvoie des indices hors de [0, {V}) : {got}.",
        "en": "{call} returns indices outside [0, {V}): {got}.",
    },
    "tp5_sample_greedy": {
        "fr": "Avec la température {temperature}, sample doit toujours renvoyer l'indice du plus grand logit "
        "({expected}) ; fréquences observées : {observed}.",
        "en": "With temperature {temperature}, sample must always return the index of the largest logit "
        "({expected}); observed frequencies: {observed}.",
    },
    "tp5_sample_multiplied": {
        "fr": "sample multiplie les logits par la température au lieu de les diviser : avec T = {temperature}, "
        "les fréquences {observed} suivent softmax(logits × T) et non softmax(logits / T) = {expected}.",
        "en": "sample multiplies the logits by the temperature instead of dividing them: with T = "
        "{temperature}, the frequencies {observed} follow softmax(logits × T), not softmax(logits / T) = "
        "{expected}.",
    },
    "tp5_sample_ignores_temperature": {
        "fr": "sample ne tient pas compte de la température : avec T = {temperature}, les fréquences {observed} "
        "suivent softmax(logits) au lieu de softmax(logits / T) = {expected}.",
        "en": "sample ignores the temperature: with T = {temperature}, the frequencies {observed} follow "
        "softmax(logits) instead of softmax(logits / T) = {expected}.",
    },
    "tp5_sample_distribution": {
        "fr": "Avec T = {temperature}, les fréquences de sample sur {n} tirages, {observed}, ne suivent pas "
        "softmax(logits / T) = {expected} (écart total {distance}, tolérance {tolerance}).",
        "en": "With T = {temperature}, sample's frequencies over {n} draws, {observed}, do not follow "
        "softmax(logits / T) = {expected} (total difference {distance}, tolerance {tolerance}).",
    },
    "tp5_sample_rows_not_independent": {
        "fr": "sample renvoie le même indice pour toutes les lignes du batch : chaque ligne doit être tirée "
        "indépendamment.",
        "en": "sample returns the same index for every row of the batch: each row must be drawn independently.",
    },
}
