"""Student-facing messages of the tp4 grading tests (merged into messages.CATALOG).

Every realistic mistake of the LSTM/GRU lab gets its own key; the text names it and says what
the lab expects. Keys used by hidden tests show no expected value (or have a ``*_hidden``
variant without it).
"""

CATALOG: dict[str, dict[str, str]] = {
    # -- Q1 pad_collate_fn ---------------------------------------------------------------------------
    "tp4_pad_returns_tuple": {
        "fr": "pad_collate_fn doit renvoyer UN seul tenseur (L, B) (la phrase, EOS puis PAD), pas un couple "
        "(entrée, cible) ni une liste ; reçu : {got}. Le découpage batch[:-1] / batch[1:] se fait dans la boucle.",
        "en": "pad_collate_fn must return ONE tensor (L, B) (the sentence, EOS, then PAD), not an (input, target) pair "
        "or a list; got: {got}. The batch[:-1] / batch[1:] split happens in the training loop.",
    },
    "tp4_pad_dtype": {
        "fr": "pad_collate_fn renvoie des codes de type {got} : il faut des entiers torch.long (int64), sinon "
        "nn.Embedding et la perte refusent le batch.",
        "en": "pad_collate_fn returns codes of dtype {got}: they must be torch.long (int64) integers, otherwise "
        "nn.Embedding and the loss refuse the batch.",
    },
    "tp4_pad_course_eos": {
        "fr": "Sur l'exemple du cours « C'est. Un. Test. », la position [5, 2] doit contenir EOS (1) : la colonne 2 est "
        "« Test. » (5 caractères) suivie de EOS ; trouvé {got}.",
        "en": 'On the course example "C\'est. Un. Test.", position [5, 2] must hold EOS (1): column 2 is "Test." '
        "(5 characters) followed by EOS; found {got}.",
    },
    "tp4_pad_course_padding": {
        "fr": "Sur l'exemple du cours, la colonne 1 (« Un. ») doit être suivie de EOS puis de zéros (PAD) jusqu'en bas ; "
        "colonne obtenue : {column}.",
        "en": 'On the course example, column 1 ("Un.") must be followed by EOS then zeros (PAD) down to the bottom; '
        "column obtained: {column}.",
    },
    "tp4_pad_course_text": {
        "fr": "Une fois PAD et EOS retirés, le batch doit redonner « C'est. Un. Test. » ; obtenu « {got} ».",
        "en": 'Once PAD and EOS are removed, the batch must give back "C\'est. Un. Test."; got "{got}".',
    },
    "tp4_pad_batch_first": {
        "fr": "pad_collate_fn renvoie un batch « batch d'abord » {got} : le TP attend la séquence d'abord, (L, B) = {expected}.",
        "en": "pad_collate_fn returns a batch-first batch {got}: the lab expects sequence-first, (L, B) = {expected}.",
    },
    "tp4_pad_no_room_for_eos": {
        "fr": "pad_collate_fn renvoie {got} : il manque une ligne. L vaut la longueur du plus long exemple PLUS UN, "
        "pour la place de l'EOS ({expected}).",
        "en": "pad_collate_fn returns {got}: one row is missing. L is the longest sample's length PLUS ONE, room for "
        "the EOS ({expected}).",
    },
    "tp4_pad_no_eos": {
        "fr": "pad_collate_fn n'ajoute pas de fin de phrase : chaque colonne doit contenir l'exemple puis EOS_IX (1).",
        "en": "pad_collate_fn adds no end of sentence: each column must hold the sample, then EOS_IX (1).",
    },
    "tp4_pad_eos_after_padding": {
        "fr": "pad_collate_fn met l'EOS tout en bas de la colonne, après le remplissage : l'EOS vient juste après la "
        "phrase, et le PAD ensuite.",
        "en": "pad_collate_fn puts the EOS at the very bottom of the column, after the padding: the EOS comes right "
        "after the sentence, and the PAD after it.",
    },
    "tp4_pad_codes_swapped": {
        "fr": "pad_collate_fn inverse les codes : le remplissage est PAD_IX = 0 et la fin de phrase EOS_IX = 1.",
        "en": "pad_collate_fn swaps the codes: padding is PAD_IX = 0 and the end of sentence EOS_IX = 1.",
    },
    "tp4_pad_left_padding": {
        "fr": "pad_collate_fn remplit à gauche (avant la phrase) : la phrase commence en ligne 0, le PAD va après l'EOS.",
        "en": "pad_collate_fn pads on the left (before the sentence): the sentence starts at row 0, the PAD goes after the EOS.",
    },
    "tp4_pad_wrong_pad_code": {
        "fr": "Après l'EOS, le remplissage doit valoir PAD_IX = {pad} ; trouvé les codes {got}.",
        "en": "After the EOS, padding must be PAD_IX = {pad}; found codes {got}.",
    },
    "tp4_pad_values": {
        "fr": "pad_collate_fn : la colonne {column} est incorrecte à partir de la ligne {row} (attendu : l'exemple, "
        "puis EOS, puis PAD).",
        "en": "pad_collate_fn: column {column} is wrong from row {row} on (expected: the sample, then EOS, then PAD).",
    },
    "tp4_pad_squeezed": {
        "fr": "Pour un batch d'un seul exemple, pad_collate_fn doit garder la dimension du batch : forme {expected}, "
        "obtenu {got} (un squeeze de trop ?).",
        "en": "For a batch of one sample, pad_collate_fn must keep the batch dimension: shape {expected}, got {got} "
        "(one squeeze too many?).",
    },
    "tp4_pad_mutates_input": {
        "fr": "pad_collate_fn modifie les tenseurs reçus (exemple {index} : longueur {before}, puis forme {after}) : ce "
        "sont les codes gardés par le dataset, ils changeraient à chaque époque. Copiez-les au lieu de les modifier.",
        "en": "pad_collate_fn modifies the tensors it receives (sample {index}: length {before}, then shape {after}): "
        "they are the dataset's cached codes and would change at every epoch. Copy them instead.",
    },
    # -- Q2 maskedCrossEntropy --------------------------------------------------------------------------
    "tp4_mce_loss_module": {
        "fr": "maskedCrossEntropy renvoie un objet {got} au lieu d'un tenseur : nn.CrossEntropyLoss(...) construit la "
        "perte, il faut ensuite l'appeler sur (logits, cibles) — ou utiliser F.cross_entropy.",
        "en": "maskedCrossEntropy returns a {got} object instead of a tensor: nn.CrossEntropyLoss(...) builds the loss, "
        "which must then be called on (logits, targets) — or use F.cross_entropy.",
    },
    "tp4_mce_no_reduction": {
        "fr": "maskedCrossEntropy renvoie un tenseur de forme {got} : le coût doit être un scalaire (la moyenne sur les "
        "positions non masquées), pas le coût de chaque position.",
        "en": "maskedCrossEntropy returns a tensor of shape {got}: the loss must be a scalar (the mean over the "
        "unmasked positions), not one loss per position.",
    },
    "tp4_mce_sum_not_mean": {
        "fr": "maskedCrossEntropy renvoie la SOMME des coûts non masqués : le TP demande la moyenne sur les positions "
        "non masquées (divisez par le nombre de positions où target != padcar).",
        "en": "maskedCrossEntropy returns the SUM of the unmasked losses: the lab asks for the mean over the unmasked "
        "positions (divide by the number of positions where target != padcar).",
    },
    "tp4_mce_all_positions": {
        "fr": "maskedCrossEntropy divise par le nombre total de positions, remplissage compris : il faut diviser par le "
        "nombre de positions non masquées.",
        "en": "maskedCrossEntropy divides by the total number of positions, padding included: divide by the number of "
        "unmasked positions.",
    },
    "tp4_mce_no_mask": {
        "fr": "maskedCrossEntropy fait la moyenne sur toutes les positions sans masquer le remplissage : les positions où "
        "target == padcar ne doivent pas compter.",
        "en": "maskedCrossEntropy averages over every position without masking the padding: positions where "
        "target == padcar must not count.",
    },
    "tp4_mce_mask_from_output": {
        "fr": "maskedCrossEntropy calcule le masque à partir de la sortie du modèle : le masque vient de la CIBLE "
        "(target != padcar).",
        "en": "maskedCrossEntropy computes the mask from the model's output: the mask comes from the TARGET "
        "(target != padcar).",
    },
    "tp4_mce_padcar_ignored": {
        "fr": "maskedCrossEntropy masque toujours le code 0 : utilisez l'argument padcar (ici 3), ne codez pas PAD_IX en dur.",
        "en": "maskedCrossEntropy always masks code 0: use the padcar argument (here 3), do not hard-code PAD_IX.",
    },
    "tp4_mce_per_sequence_mean": {
        "fr": "maskedCrossEntropy fait la moyenne par phrase puis la moyenne des phrases : le TP demande la moyenne sur "
        "toutes les positions non masquées du batch (chaque caractère compte autant).",
        "en": "maskedCrossEntropy averages per sentence, then over sentences: the lab asks for the mean over all "
        "unmasked positions of the batch (every character counts the same).",
    },
    "tp4_mce_softmax_first": {
        "fr": "maskedCrossEntropy applique un softmax avant l'entropie croisée : F.cross_entropy attend des logits bruts "
        "(il contient déjà le log-softmax).",
        "en": "maskedCrossEntropy applies a softmax before the cross-entropy: F.cross_entropy expects raw logits "
        "(it already contains the log-softmax).",
    },
    "tp4_mce_value": {
        "fr": "maskedCrossEntropy ne donne pas la moyenne de l'entropie croisée sur les positions non masquées "
        "(target != padcar).",
        "en": "maskedCrossEntropy does not give the mean cross-entropy over the unmasked positions (target != padcar).",
    },
    "tp4_mce_classes_last_dim": {
        "fr": "maskedCrossEntropy passe des logits (L, B, V) tels quels à la perte, qui attend les classes en dimension 1 "
        "({error}) : aplatissez en (L·B, V) ou permutez en (L, V, B).",
        "en": "maskedCrossEntropy passes (L, B, V) logits as they are to the loss, which expects the classes on "
        "dimension 1 ({error}): flatten to (L·B, V) or permute to (L, V, B).",
    },
    "tp4_mce_no_gradient": {
        "fr": "Aucun gradient ne remonte de maskedCrossEntropy vers les logits (tenseur détaché, .item(), numpy ?).",
        "en": "No gradient flows from maskedCrossEntropy back to the logits (detached tensor, .item(), numpy?).",
    },
    "tp4_mce_gradient_on_padding": {
        "fr": "{positions} des {total} positions de remplissage reçoivent un gradient : elles doivent être masquées "
        "(gradient nul).",
        "en": "{positions} of the {total} padding positions receive a gradient: they must be masked (zero gradient).",
    },
    "tp4_mce_gradient_missing": {
        "fr": "Certaines positions non masquées ne reçoivent aucun gradient : elles doivent toutes compter dans le coût.",
        "en": "Some unmasked positions receive no gradient: they must all count in the loss.",
    },
    "tp4_mce_python_loop": {
        "fr": "maskedCrossEntropy contient une boucle Python ({construct}, ligne {line} de la fonction) : calculez le coût "
        'de toutes les positions d\'un coup (reduction="none"), puis masquez.',
        "en": "maskedCrossEntropy contains a Python loop ({construct}, line {line} of the function): compute every "
        'position\'s loss at once (reduction="none"), then mask.',
    },
    "tp4_mce_slow": {
        "fr": "maskedCrossEntropy met {seconds} s sur L={L}, B={B} (limite {limit} s) : une boucle sur le temps ou sur "
        "le batch ? Le calcul doit être vectorisé.",
        "en": "maskedCrossEntropy takes {seconds} s on L={L}, B={B} (limit {limit} s): a loop over time or over the "
        "batch? The computation must be vectorised.",
    },
    # -- Q3 generate --------------------------------------------------------------------------------------
    "tp4_gen_returns_none": {
        "fr": "{function} ne renvoie rien (None) : elle doit renvoyer le texte (start suivi du texte généré), pas l'afficher.",
        "en": "{function} returns nothing (None): it must return the text (start followed by the generated text), not print it.",
    },
    "tp4_gen_returns_codes": {
        "fr": "{function} renvoie des codes ({got}) : elle doit renvoyer une chaîne, start suivi de code2string(...).",
        "en": "{function} returns codes ({got}): it must return a string, start followed by code2string(...).",
    },
    "tp4_gen_not_text": {
        "fr": "{function} doit renvoyer une chaîne de caractères ; reçu : {got}.",
        "en": "{function} must return a string; got: {got}.",
    },
    "tp4_gen_greedy_public": {
        "fr": "Génération gloutonne sur un petit modèle : attendu « {expected} », obtenu « {got} ».",
        "en": 'Greedy generation on a small model: expected "{expected}", got "{got}".',
    },
    "tp4_gen_maxlen_public": {
        "fr": "Avec maxlen={maxlen} sur le petit modèle, generate doit s'arrêter après {maxlen} symboles générés : "
        "attendu « {expected} », obtenu « {got} ».",
        "en": "With maxlen={maxlen} on the small model, generate must stop after {maxlen} generated symbols: "
        'expected "{expected}", got "{got}".',
    },
    "tp4_gen_ignores_start": {
        "fr": "generate recopie start en tête du résultat mais ne le donne pas au réseau : lisez d'abord les caractères "
        "de start avec one_step, puis générez à partir de cet état.",
        "en": "generate copies start in front of the result but never feeds it to the network: read start's characters "
        "with one_step first, then generate from that state.",
    },
    "tp4_gen_start_missing": {
        "fr": "Le texte renvoyé par generate doit commencer par start (« {start} ») suivi du texte généré.",
        "en": 'The text returned by generate must begin with start ("{start}") followed by the generated text.',
    },
    "tp4_gen_no_stop_at_eos": {
        "fr": "generate continue après l'EOS ({steps} pas au lieu d'au plus {needed}) : la génération s'arrête dès que "
        "le symbole choisi est eos.",
        "en": "generate goes on after the EOS ({steps} steps instead of at most {needed}): generation stops as soon as "
        "the chosen symbol is eos.",
    },
    "tp4_gen_includes_eos": {
        "fr": "Le texte renvoyé contient « <EOS> » : l'EOS termine la génération mais ne fait pas partie du texte.",
        "en": 'The returned text contains "<EOS>": the EOS ends generation but is not part of the text.',
    },
    "tp4_gen_maxlen": {
        "fr": "Avec maxlen={maxlen} et un modèle qui n'émet jamais EOS, generate produit {got} symboles : il en faut "
        "exactement maxlen.",
        "en": "With maxlen={maxlen} and a model that never emits EOS, generate produces {got} symbols: it must produce "
        "exactly maxlen.",
    },
    "tp4_gen_greedy": {
        "fr": "Génération gloutonne (start=« {start} ») incorrecte sur un petit modèle dont la réponse est connue : "
        "obtenu « {got} ». À chaque pas, le symbole le plus probable de decoder(rnn.hidden(state)).",
        "en": 'Wrong greedy generation (start="{start}") on a small model whose answer is known: got "{got}". At each '
        "step, the most probable symbol of decoder(rnn.hidden(state)).",
    },
    "tp4_gen_state_protocol": {
        "fr": "generate ne fonctionne pas quand l'état est un couple (h, c), comme pour le LSTM ({error}) : passez par "
        "rnn.init_state, rnn.one_step et rnn.hidden(state) sans supposer que l'état est un tenseur.",
        "en": "generate fails when the state is a pair (h, c), as for the LSTM ({error}): go through rnn.init_state, "
        "rnn.one_step and rnn.hidden(state) without assuming the state is a tensor.",
    },
    "tp4_gen_sample_kw": {
        "fr": "generate n'accepte pas l'argument mot-clé sample=True ({error}) : la signature est "
        'generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False).',
        "en": "generate does not accept the keyword argument sample=True ({error}): the signature is "
        'generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False).',
    },
    "tp4_gen_sample_argmax": {
        "fr": "Avec sample=True, generate a donné {n} fois le même texte (« {text} ») : il faut tirer chaque symbole "
        "selon le softmax des logits (torch.multinomial), pas prendre le plus probable.",
        "en": 'With sample=True, generate gave the same text {n} times ("{text}"): each symbol must be drawn from the '
        "softmax of the logits (torch.multinomial), not the most probable one.",
    },
    "tp4_gen_sample_distribution": {
        "fr": "Avec sample=True, les {n} textes tirés ne suivent pas la distribution du modèle (khi² = {chi2}, limite "
        "{limit} ; {others} textes impossibles) : tirez selon softmax(logits), sans température ni troncature.",
        "en": "With sample=True, the {n} drawn texts do not follow the model's distribution (chi² = {chi2}, limit "
        "{limit}; {others} impossible texts): draw from softmax(logits), with no temperature or truncation.",
    },
    "tp4_gen_sample_temperature": {
        "fr": "Avec le tirage aléatoire, un symbole de probabilité 0,1 sort {rare} fois sur {n} tirages (attendu "
        "environ {expected}, écart z = {z}) : tirez selon softmax(logits) exactement, sans température (ni "
        "division des logits) ni troncature.",
        "en": "When sampling, a symbol of probability 0.1 came out {rare} times in {n} draws (about {expected} "
        "expected, z = {z}): draw from softmax(logits) exactly, with no temperature (no scaling of the logits) "
        "and no truncation.",
    },
    "tp4_nucleus_beam_scores": {
        "fr": "generate_beam_nucleus rend « {got} » sur un modèle où chaque noyau (alpha = {alpha}) a exactement k "
        "symboles (le tirage est donc certain) : ce n'est pas la phrase la plus probable quand chaque pas est "
        "noté par le log de sa probabilité dans le noyau renormalisé (et non par le softmax complet).",
        "en": 'generate_beam_nucleus returns "{got}" on a model where every nucleus (alpha = {alpha}) has exactly k '
        "symbols (so the draw is certain): it is not the most probable sentence when each step is scored by the "
        "log of its renormalised nucleus probability (not by the full softmax).",
    },
    # -- Q4 build_model --------------------------------------------------------------------------------
    "tp4_build_returns": {
        "fr": "build_model doit renvoyer le couple (emb, rnn) ; reçu : {got}.",
        "en": "build_model must return the pair (emb, rnn); got: {got}.",
    },
    "tp4_build_not_embedding": {
        "fr": "build_model renvoie un {got} au lieu d'un nn.Embedding : la question demande nn.Embedding(V, D) à la "
        "place des vecteurs one-hot.",
        "en": "build_model returns a {got} instead of an nn.Embedding: the question asks for nn.Embedding(V, D) instead "
        "of one-hot vectors.",
    },
    "tp4_build_embedding_size": {
        "fr": "L'embedding a la taille {got} au lieu de (vocab_size, dim) = {expected}.",
        "en": "The embedding has size {got} instead of (vocab_size, dim) = {expected}.",
    },
    "tp4_build_padding_idx": {
        "fr": "L'embedding doit avoir padding_idx=PAD_IX (0), pour que le vecteur du remplissage reste nul ; trouvé {got}.",
        "en": "The embedding must have padding_idx=PAD_IX (0), so that the padding vector stays zero; found {got}.",
    },
    "tp4_build_wrong_class": {
        "fr": 'build_model("{cell}", ...) doit construire votre classe {expected} ; obtenu {got}.',
        "en": 'build_model("{cell}", ...) must build your {expected} class; got {got}.',
    },
    "tp4_build_pipeline": {
        "fr": 'Pour cell="{cell}", rnn(emb(codes)) ne donne pas les vecteurs cachés (L, B, H) : {error}. Le modèle '
        "doit être construit avec (dim, latent, vocab_size).",
        "en": 'For cell="{cell}", rnn(emb(codes)) does not give the hidden vectors (L, B, H): {error}. The model must '
        "be built with (dim, latent, vocab_size).",
    },
    "tp4_build_no_value_error": {
        "fr": "build_model avec un type de cellule inconnu doit lever ValueError ; obtenu : {got}.",
        "en": "build_model with an unknown cell kind must raise ValueError; got: {got}.",
    },
    # -- Q5 GRU and LSTM ------------------------------------------------------------------------------
    "tp4_wraps_torch_cell": {
        "fr": "{cls} utilise {found} de PyTorch au lieu d'écrire la cellule avec les équations du cours : cette "
        "question ne rapporte pas de points ainsi.",
        "en": "{cls} uses PyTorch's {found} instead of writing the cell from the lab's equations: this question earns "
        "no points that way.",
    },
    "tp4_cell_layout_unknown": {
        "fr": "Les paramètres de {cls} ne se lisent pas comme des portes du cours (D={D}, H={H}, V={V}) : {shapes}. "
        "Attendu : des couches linéaires (H+D → H par porte, ou fusionnées) et un décodeur H → V.",
        "en": "The parameters of {cls} cannot be read as the lab's gates (D={D}, H={H}, V={V}): {shapes}. Expected: "
        "linear layers (H+D → H per gate, or fused ones) and an H → V decoder.",
    },
    "tp4_gru_state_tuple": {
        "fr": "GRU.one_step doit renvoyer le nouvel état h (B, H), un seul tenseur ; reçu : {got}.",
        "en": "GRU.one_step must return the new state h (B, H), a single tensor; got: {got}.",
    },
    "tp4_gru_mirrored_z": {
        "fr": "Votre GRU utilise h' = z⊙h + (1−z)⊙h̃ : le cours écrit h' = (1−z)⊙h + z⊙h̃ (z est la part du nouveau "
        "candidat). C'est un GRU valable mais pas celui demandé : crédit partiel.",
        "en": "Your GRU uses h' = z⊙h + (1−z)⊙h̃: the lab writes h' = (1−z)⊙h + z⊙h̃ (z is the share of the new "
        "candidate). A valid GRU but not the one asked for: partial credit.",
    },
    "tp4_gru_torch_formulation": {
        "fr": "Votre GRU suit la formulation de torch.nn.GRU (porte r appliquée après le produit, z inversé) : le cours "
        "applique r à h AVANT le produit, h̃ = tanh(W·[r⊙h, x]), et h' = (1−z)⊙h + z⊙h̃. Crédit partiel.",
        "en": "Your GRU follows torch.nn.GRU's formulation (reset gate applied after the product, z reversed): the lab "
        "applies r to h BEFORE the product, h̃ = tanh(W·[r⊙h, x]), and h' = (1−z)⊙h + z⊙h̃. Partial credit.",
    },
    "tp4_gru_reset_after_product": {
        "fr": "Votre GRU applique la porte r après le produit matriciel (r⊙(W_h·h)) : le cours l'applique à h avant, "
        "h̃ = tanh(W·[r⊙h, x] + b).",
        "en": "Your GRU applies the reset gate after the matrix product (r⊙(W_h·h)): the lab applies it to h before, "
        "h̃ = tanh(W·[r⊙h, x] + b).",
    },
    "tp4_gru_equations": {
        "fr": "GRU.one_step ne suit pas les équations du cours (z, r = σ(W·[h, x] + b), h̃ = tanh(W·[r⊙h, x] + b), "
        "h' = (1−z)⊙h + z⊙h̃), quelle que soit la façon de lire vos paramètres.",
        "en": "GRU.one_step does not follow the lab's equations (z, r = σ(W·[h, x] + b), h̃ = tanh(W·[r⊙h, x] + b), "
        "h' = (1−z)⊙h + z⊙h̃), however its parameters are read.",
    },
    "tp4_batch_first": {
        "fr": "{cls}.forward lit et renvoie des tenseurs « batch d'abord » (B, L, ...) : le cours travaille séquence "
        "d'abord, (L, B, D) en entrée et (L, B, H) en sortie. Le reste de la question a été noté en transposant "
        "pour vous ; seul ce test est perdu.",
        "en": "{cls}.forward reads and returns batch-first tensors (B, L, ...): the course works sequence-first, "
        "(L, B, D) in and (L, B, H) out. The rest of the question was graded by transposing for you; only this "
        "test is lost.",
    },
    "tp4_forward_container": {
        "fr": "{cls}.forward renvoie un {got} : le cours attend un seul tenseur (L, B, H) des états cachés. Le reste de "
        "la question a été noté à partir du premier élément ; seul ce test est perdu.",
        "en": "{cls}.forward returns a {got}: the course expects one tensor (L, B, H) of hidden vectors. The rest of "
        "the question was graded from its first element; only this test is lost.",
    },
    "tp4_learning_no_gradient": {
        "fr": "{cls} n'apprend pas : pendant l'entraînement, aucun gradient n'atteint les paramètres de la cellule "
        "({names}). La sortie de forward est-elle détachée (.detach(), .data, torch.no_grad()) ?",
        "en": "{cls} does not learn: during training no gradient reaches the cell's parameters ({names}). Is the "
        "output of forward detached (.detach(), .data, torch.no_grad())?",
    },
    "tp4_lstm_state_pair": {
        "fr": "LSTM.one_step doit renvoyer le couple (h', c') ; reçu : {got}.",
        "en": "LSTM.one_step must return the pair (h', c'); got: {got}.",
    },
    "tp4_lstm_state_swapped": {
        "fr": "LSTM.one_step renvoie (c', h') : l'état est le couple (h, c), dans cet ordre (hidden(state) lit state[0]).",
        "en": "LSTM.one_step returns (c', h'): the state is the pair (h, c), in that order (hidden(state) reads state[0]).",
    },
    "tp4_lstm_softmax_gates": {
        "fr": "Votre LSTM utilise un softmax comme activation des portes : les portes f, i, o sont des sigmoïdes "
        "(chaque unité s'ouvre indépendamment).",
        "en": "Your LSTM uses a softmax as gate activation: gates f, i, o are sigmoids (each unit opens independently).",
    },
    "tp4_lstm_no_forget_gate": {
        "fr": "Votre LSTM n'a pas de porte d'oubli (c' = c + i⊙c̃) : il faut c' = f⊙c + i⊙c̃ avec f = σ(W_f·[h, x] + b_f).",
        "en": "Your LSTM has no forget gate (c' = c + i⊙c̃): it must be c' = f⊙c + i⊙c̃ with f = σ(W_f·[h, x] + b_f).",
    },
    "tp4_lstm_no_tanh_cell": {
        "fr": "Votre LSTM calcule h' = o⊙c' : il manque le tanh, h' = o⊙tanh(c').",
        "en": "Your LSTM computes h' = o⊙c': the tanh is missing, h' = o⊙tanh(c').",
    },
    "tp4_lstm_old_cell": {
        "fr": "Votre LSTM calcule h' avec l'ancienne mémoire c : il faut h' = o⊙tanh(c') avec la mémoire mise à jour.",
        "en": "Your LSTM computes h' from the old cell c: it must be h' = o⊙tanh(c') with the updated cell.",
    },
    "tp4_lstm_sigmoid_candidate": {
        "fr": "Votre LSTM utilise une sigmoïde pour le candidat c̃ : c'est tanh(W_C·[h, x] + b_C).",
        "en": "Your LSTM uses a sigmoid for the candidate c̃: it is tanh(W_C·[h, x] + b_C).",
    },
    "tp4_lstm_equations": {
        "fr": "LSTM.one_step ne donne pas les résultats de torch.nn.LSTM (f, i, o = σ(W·[h, x] + b), "
        "c' = f⊙c + i⊙tanh(W_C·[h, x] + b_C), h' = o⊙tanh(c')), quelle que soit la façon de lire vos paramètres.",
        "en": "LSTM.one_step does not give torch.nn.LSTM's results (f, i, o = σ(W·[h, x] + b), "
        "c' = f⊙c + i⊙tanh(W_C·[h, x] + b_C), h' = o⊙tanh(c')), however its parameters are read.",
    },
    "tp4_state_not_carried": {
        "fr": "{cls}.forward repart de l'état initial à chaque pas : l'état renvoyé par one_step doit être passé au pas "
        "suivant.",
        "en": "{cls}.forward restarts from the initial state at every step: the state returned by one_step must be "
        "passed on to the next step.",
    },
    "tp4_state_c_not_carried": {
        "fr": "{cls}.forward transmet h d'un pas à l'autre mais pas la mémoire c : tout l'état (h, c) doit passer au pas "
        "suivant.",
        "en": "{cls}.forward carries h from step to step but not the cell c: the whole state (h, c) must go to the next step.",
    },
    "tp4_state_h_not_carried": {
        "fr": "{cls}.forward transmet la mémoire c d'un pas à l'autre mais pas h : tout l'état (h, c) doit passer au pas "
        "suivant.",
        "en": "{cls}.forward carries the cell c from step to step but not h: the whole state (h, c) must go to the next step.",
    },
    "tp4_forward_shifted": {
        "fr": "{cls}.forward renvoie l'état initial puis les L−1 premiers états : il faut les L états APRÈS chaque pas.",
        "en": "{cls}.forward returns the initial state then the first L−1 states: it must return the L states AFTER each step.",
    },
    "tp4_forward_ignores_state": {
        "fr": "{cls}.forward ignore l'état initial qu'on lui donne (il repart de zéro) : partez de h s'il est fourni.",
        "en": "{cls}.forward ignores the initial state it is given (it starts from zero): start from h when given.",
    },
    "tp4_forward_returns_c": {
        "fr": "{cls}.forward renvoie les mémoires c au lieu des vecteurs cachés h (hidden(state)).",
        "en": "{cls}.forward returns the cells c instead of the hidden vectors h (hidden(state)).",
    },
    "tp4_forward_values": {
        "fr": "{cls}.forward ne renvoie pas les vecteurs cachés obtenus en enchaînant one_step depuis l'état donné.",
        "en": "{cls}.forward does not return the hidden vectors obtained by chaining one_step from the given state.",
    },
    "tp4_forward_none_state": {
        "fr": "{cls}.forward(x) sans état doit partir de init_state(B), des zéros.",
        "en": "{cls}.forward(x) without a state must start from init_state(B), zeros.",
    },
    "tp4_final_state": {
        "fr": "Après L pas de one_step, l'état (h, c) diffère de celui de torch.nn.LSTM (h_n, c_n).",
        "en": "After L steps of one_step, the state (h, c) differs from torch.nn.LSTM's (h_n, c_n).",
    },
    "tp4_state_detached": {
        "fr": "{cls}.forward détache l'état entre les pas (.detach(), .data) : les valeurs sont justes mais le gradient "
        "ne remonte plus le temps.",
        "en": "{cls}.forward detaches the state between steps (.detach(), .data): the values are right but the gradient "
        "no longer flows back through time.",
    },
    "tp4_gradient_values": {
        "fr": "Les gradients de {cls}.forward sont faux pour : {names} (alors que les valeurs sont justes) — un calcul "
        "hors du graphe (.data, numpy, torch.no_grad) ?",
        "en": "The gradients of {cls}.forward are wrong for: {names} (while the values are right) — a computation "
        "outside the graph (.data, numpy, torch.no_grad)?",
    },
    "tp4_learning": {
        "fr": "Entraîné {steps} pas par la boucle du correcteur, votre {cls} atteint une perte de {loss} sur des phrases "
        "mises de côté (seuil {threshold}) : il n'apprend pas comme attendu.",
        "en": "Trained {steps} steps by the grader's loop, your {cls} reaches a loss of {loss} on held-out sentences "
        "(threshold {threshold}): it does not learn as expected.",
    },
    "tp4_learning_output": {
        "fr": "Pendant l'apprentissage par la boucle du correcteur, {cls}.decode(forward(...)) donne {got} au lieu de "
        "logits (L, B, V).",
        "en": "During training by the grader's loop, {cls}.decode(forward(...)) gives {got} instead of (L, B, V) logits.",
    },
    # -- Q6 beam search -------------------------------------------------------------------------------
    "tp4_beam_k1_public": {
        "fr": "Avec k = 1, la recherche en faisceau doit redonner la génération gloutonne « {expected} » ; obtenu « {got} ».",
        "en": 'With k = 1, beam search must give the greedy generation "{expected}"; got "{got}".',
    },
    "tp4_beam_k2_public": {
        "fr": "Avec k = 2 sur le petit modèle, la meilleure phrase est « {expected} » (probabilité 0,4 × 0,9 = 0,36, "
        "contre 0,18 pour la gloutonne) ; obtenu « {got} ». Chaque score est la somme des log-softmax des "
        "symboles, et les k meilleures propositions de toutes les hypothèses forment le faisceau suivant.",
        "en": 'With k = 2 on the small model, the best sentence is "{expected}" (probability 0.4 × 0.9 = 0.36, against '
        '0.18 for the greedy one); got "{got}". Each score is the sum of the symbols\' log-softmax, and the k '
        "best proposals of all hypotheses form the next beam.",
    },
    "tp4_beam_k1": {
        "fr": "Avec k = 1, generate_beam doit redonner la génération gloutonne ; obtenu « {got} ».",
        "en": 'With k = 1, generate_beam must give the greedy generation; got "{got}".',
    },
    "tp4_beam_ignores_start": {
        "fr": "generate_beam doit lire start (« {start} ») puis renvoyer start suivi du meilleur texte.",
        "en": 'generate_beam must read start ("{start}") then return start followed by the best text.',
    },
    "tp4_beam_invalid": {
        "fr": "Le texte renvoyé (« {got} ») ne peut pas être produit par le modèle de test.",
        "en": 'The returned text ("{got}") cannot be produced by the test model.',
    },
    "tp4_beam_worse_than_greedy": {
        "fr": "Avec k = {k}, generate_beam renvoie « {got} », de log-probabilité {score}, moins probable que le texte "
        "glouton ({greedy}) : les scores doivent être les sommes des log-probabilités, et le meilleur est choisi "
        "parmi les hypothèses finies et en cours.",
        "en": 'With k = {k}, generate_beam returns "{got}", of log-probability {score}, less probable than the greedy '
        "text ({greedy}): scores must be sums of log-probabilities, and the best is chosen among finished and "
        "running hypotheses.",
        "fr_hidden": "Avec k = {k}, generate_beam renvoie « {got} », de log-probabilité {score}, moins probable que le "
        "texte glouton : les scores doivent être les sommes des log-probabilités, et le meilleur est choisi "
        "parmi les hypothèses finies et en cours.",
        "en_hidden": 'With k = {k}, generate_beam returns "{got}", of log-probability {score}, less probable than the '
        "greedy text: scores must be sums of log-probabilities, and the best is chosen among finished and "
        "running hypotheses.",
    },
    "tp4_beam_finished_lost": {
        "fr": "Avec k = {k}, generate_beam renvoie une hypothèse coupée à maxlen={maxlen} alors qu'une phrase terminée "
        "par EOS est plus probable : une hypothèse qui émet EOS reste en compétition avec son score (sans être "
        "prolongée), elle n'est pas abandonnée.",
        "en": "With k = {k}, generate_beam returns a hypothesis cut at maxlen={maxlen} while a sentence ended by EOS is "
        "more probable: a hypothesis that emits EOS stays in competition with its score (without being "
        "extended); it is not dropped.",
    },
    "tp4_beam_not_best": {
        "fr": "Avec k = {k}, sur un petit modèle où l'approche gloutonne échoue, generate_beam renvoie « {got} » "
        "(log-probabilité {score}) alors qu'une phrase plus probable est à sa portée. Vérifiez : scores = sommes "
        "des log-probabilités, sélection des k meilleures propositions sur TOUT le faisceau, hypothèses terminées "
        "par EOS gardées avec leur score sans être prolongées, pas de normalisation par la longueur.",
        "en": 'With k = {k}, on a small model where greedy fails, generate_beam returns "{got}" (log-probability '
        "{score}) while a more probable sentence is within reach. Check: scores = sums of log-probabilities, "
        "the k best proposals selected over the WHOLE beam, hypotheses ended by EOS kept with their score "
        "and not extended, no length normalisation.",
    },
    # -- Q7 nucleus ------------------------------------------------------------------------------------
    "tp4_nucleus_not_callable": {
        "fr": "p_nucleus(decoder, alpha) doit renvoyer une fonction compute(h) ; reçu : {got}.",
        "en": "p_nucleus(decoder, alpha) must return a function compute(h); got: {got}.",
    },
    "tp4_nucleus_returns_index": {
        "fr": "compute(h) renvoie {got} (des indices tirés ?) : il doit renvoyer la distribution nucleus (B, V), le "
        "tirage se fait ailleurs.",
        "en": "compute(h) returns {got} (sampled indices?): it must return the nucleus distribution (B, V); sampling "
        "happens elsewhere.",
    },
    "tp4_nucleus_log_probs": {
        "fr": "compute(h) renvoie des valeurs négatives (des log-probabilités ?) : il faut des probabilités (≥ 0, somme 1 "
        "par ligne).",
        "en": "compute(h) returns negative values (log-probabilities?): it must return probabilities (≥ 0, summing to 1 "
        "per row).",
    },
    "tp4_nucleus_drops_crossing": {
        "fr": "Le nucleus oublie le symbole qui fait franchir le seuil alpha : c'est le plus petit ensemble de masse ≥ alpha, "
        "ce symbole compris.",
        "en": "The nucleus leaves out the symbol that crosses the alpha threshold: it is the smallest set of mass ≥ alpha, "
        "that symbol included.",
    },
    "tp4_nucleus_not_renormalised": {
        "fr": "La distribution nucleus n'est pas renormalisée : divisez par la masse du nucleus pour que chaque ligne somme à 1.",
        "en": "The nucleus distribution is not renormalised: divide by the nucleus mass so that each row sums to 1.",
    },
    "tp4_nucleus_one_hot": {
        "fr": "Quand le symbole le plus probable a déjà une probabilité ≥ alpha (alpha={alpha}), le nucleus est ce seul "
        "symbole (vecteur one-hot), pas un ensemble vide.",
        "en": "When the most probable symbol already has probability ≥ alpha (alpha={alpha}), the nucleus is that symbol "
        "alone (a one-hot vector), not an empty set.",
    },
    "tp4_nucleus_full_softmax": {
        "fr": "Avec alpha = 1, compute(h) doit redonner le softmax complet.",
        "en": "With alpha = 1, compute(h) must give the full softmax.",
    },
    "tp4_nucleus_rows": {
        "fr": "La première ligne est juste mais pas les suivantes (alpha={alpha}) : le nucleus se calcule ligne par ligne "
        "(tri et somme cumulée sur la dimension du vocabulaire).",
        "en": "The first row is right but not the others (alpha={alpha}): the nucleus is computed row by row (sort and "
        "cumulative sum along the vocabulary dimension).",
    },
    "tp4_nucleus_values": {
        "fr": "compute(h) ne donne pas la distribution nucleus attendue (alpha={alpha}) : softmax restreint au plus petit "
        "ensemble des symboles les plus probables de masse ≥ alpha, renormalisé, zéro ailleurs.",
        "en": "compute(h) does not give the expected nucleus distribution (alpha={alpha}): softmax restricted to the "
        "smallest set of most probable symbols of mass ≥ alpha, renormalised, zero elsewhere.",
    },
    "tp4_nucleus_beam_small_nucleus": {
        "fr": "generate_beam_nucleus échoue quand le nucleus compte moins de k symboles ({error}) : une hypothèse "
        "propose alors moins de k symboles (tirage sans remise d'au plus la taille du nucleus).",
        "en": "generate_beam_nucleus fails when the nucleus holds fewer than k symbols ({error}): a hypothesis then "
        "proposes fewer than k symbols (draw without replacement of at most the nucleus size).",
    },
    "tp4_nucleus_beam_outside": {
        "fr": "generate_beam_nucleus émet « {got} », dont le symbole {step} n'est pas dans le nucleus de son pas : les "
        "propositions doivent être tirées selon p_nucleus(decoder, alpha).",
        "en": 'generate_beam_nucleus emits "{got}", whose symbol {step} is not in the nucleus of its step: proposals '
        "must be drawn from p_nucleus(decoder, alpha).",
    },
}
