namespace PhoenixSlt.Core.Data.Synthetic;

/// A generative grammar of German weather-forecast sentences paired with DGS-like gloss sequences.
///
/// Every sentence is built from meaning units (time, place, phenomenon, numbers, …). The glosses list
/// the units in DGS-like order — time, location, topic, comment, negation last
/// ("MORGEN SUED SONNE NORD REGEN") — while the German side follows German syntax: verb-second main
/// clauses with one fronted element, verb-final subordinate clauses, adjective before noun
/// ("am tag scheint im süden die sonne und im norden regnet es ."). Articles, prepositions, "es" and light
/// verbs have no gloss; pointing (IX) and some glosses have no word; some glosses map to phrases
/// ("TSCHUESS" ↔ "machen sie es gut") and some words to several glosses ("hochnebel" ↔ "NEBEL HOCH").
/// A season is drawn per sentence so that phenomena and temperatures agree (no snow at 30 degrees).
public static class WeatherGrammar
{
    private enum Kind { Intro, Weather, Compound, While, Temperature, Wind, Pressure, Outlook, Closing }

    // Relative frequencies of the sentence kinds (weather and temperature dominate, as in PHOENIX).
    private static readonly double[] KindWeights = [0.07, 0.28, 0.15, 0.05, 0.16, 0.11, 0.09, 0.05, 0.04];

    /// Draws one sentence. The same generator state gives the same sentence.
    public static SyntheticSentence Generate(SynthRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var season = (Season)(1 << rng.NextInt(4));
        var s = new SentenceBuilder();
        switch ((Kind)rng.PickWeighted(KindWeights))
        {
            case Kind.Intro: Intro(s, rng, season); break;
            case Kind.Weather: Weather(s, rng, season); break;
            case Kind.Compound: Compound(s, rng, season); break;
            case Kind.While: While(s, rng, season); break;
            case Kind.Temperature: Temperature(s, rng, season); break;
            case Kind.Wind: Wind(s, rng); break;
            case Kind.Pressure: Pressure(s, rng, season); break;
            case Kind.Outlook: Outlook(s, rng, season); break;
            default: Closing(s, rng); break;
        }
        return s.Build();
    }

    // ---- clause model -------------------------------------------------------------------------------

    /// Words attributed to a unit (-1: unaligned function words).
    private readonly record struct Part(int Unit, string Words)
    {
        public bool IsEmpty => string.IsNullOrEmpty(Words);
    }

    /// An adverbial (time, place) with an optional "auch" in front of it.
    private readonly record struct Adv(int Unit, string Words, int AlsoUnit = -1);

    /// A clause in German field order: [front] Verb Pre [adverbials] Post… Particle.
    private sealed class Clause
    {
        public List<Adv> Adverbials { get; } = [];
        public Part Verb { get; set; }
        public Part Pre { get; set; }
        public List<Part> Post { get; } = [];
        public Part Particle { get; set; }
        public bool PreCanFront { get; set; }
        public bool FirstPostCanFront { get; set; }
    }

    private static Clause FromPhenomenon(int unit, Realisation f)
    {
        var c = new Clause
        {
            Verb = new Part(f.VerbIsLight ? -1 : unit, f.Verb),
            Pre = new Part(f.PreIsFunctionWord ? -1 : unit, f.Pre),
            Particle = new Part(unit, f.Particle),
            PreCanFront = f.Front == FrontPart.Pre,
            FirstPostCanFront = f.Front == FrontPart.Post,
        };
        if (f.Post.Length > 0) c.Post.Add(new Part(unit, f.Post));
        return c;
    }

    private static void Say(SentenceBuilder s, Part p)
    {
        if (!p.IsEmpty) s.Say(p.Unit, p.Words);
    }

    private static void Say(SentenceBuilder s, Adv a)
    {
        if (a.AlsoUnit >= 0) s.Say(a.AlsoUnit, "auch");
        s.Say(a.Unit, a.Words);
    }

    /// Verb-second main clause. The fronted element is an adverbial, the subject, or the given lead
    /// (a conjunction-like unit such as "sonst", or a whole subordinate clause).
    private static void MainClause(SentenceBuilder s, SynthRandom r, Clause c, Action? lead = null)
    {
        var advs = new List<Adv>(c.Adverbials);
        if (advs.Count == 2 && r.Chance(0.2)) (advs[0], advs[1]) = (advs[1], advs[0]);
        bool preFronted = false, postFronted = false;
        if (lead is not null) lead();
        else
        {
            double subjectWeight = c.PreCanFront || (c.FirstPostCanFront && c.Post.Count > 0) ? 1.0 : 0;
            Span<double> w = stackalloc double[advs.Count + 1];
            for (int i = 0; i < advs.Count; i++) w[i] = 1;
            w[advs.Count] = subjectWeight;
            int choice = advs.Count == 0 && subjectWeight == 0 ? -1 : r.PickWeighted(w);
            if (choice >= 0 && choice < advs.Count)
            {
                Say(s, advs[choice]);
                advs.RemoveAt(choice);
            }
            else if (choice == advs.Count && c.PreCanFront) { Say(s, c.Pre); preFronted = true; }
            else if (choice == advs.Count) { Say(s, c.Post[0]); postFronted = true; }
        }
        Say(s, c.Verb);
        if (!preFronted) Say(s, c.Pre);
        // A subject may also stand before the adverbials ("scheint die sonne im süden").
        bool postFirst = !postFronted && c.FirstPostCanFront && c.Post.Count > 0 && r.Chance(0.5);
        if (postFirst) Say(s, c.Post[0]);
        foreach (var a in advs) Say(s, a);
        for (int i = postFronted || postFirst ? 1 : 0; i < c.Post.Count; i++) Say(s, c.Post[i]);
        Say(s, c.Particle);
    }

    /// Verb-final subordinate clause: "während" Pre [adverbials] Post Particle+Verb.
    private static void SubordinateClause(SentenceBuilder s, Clause c, string conjunction)
    {
        s.Say(conjunction);
        Say(s, c.Pre);
        foreach (var a in c.Adverbials) Say(s, a);
        foreach (var p in c.Post) Say(s, p);
        if (!c.Particle.IsEmpty) s.Say(c.Particle.Unit, c.Particle.Words.Split('@')[0] + SentenceBuilder.StripMarker(c.Verb.Words) + Marker(c.Particle.Words));
        else Say(s, c.Verb);
    }

    /// A phenomenon of the season; with <paramref name="except"/>, one about something else
    /// (a different head gloss: not "REGEN" after "REGEN STARK").
    private static Phenomenon PickPhenomenon(SynthRandom r, Season season, string? except = null)
    {
        string? head = except?.Split(' ')[0];
        while (true)
        {
            var p = r.Pick(WeatherLexicon.Phenomena);
            if ((p.Seasons & season) != 0 && (head is null || p.Gloss.Split(' ')[0] != head)) return p;
        }
    }

    private static Adverbial PickPlace(SynthRandom r, string? except = null)
    {
        while (true)
        {
            var p = r.Pick(WeatherLexicon.Places);
            if (p.Gloss != except) return p;
        }
    }

    // ---- sentence kinds -----------------------------------------------------------------------------

    /// "und nun die wettervorhersage für morgen donnerstag den zwölften august ."
    /// JETZT WETTER (WIE AUSSEHEN) MORGEN DONNERSTAG ZWOELF AUGUST
    private static void Intro(SentenceBuilder s, SynthRandom r, Season season)
    {
        var months = WeatherLexicon.Months.Where(m => m.Season == season).ToArray();
        var month = r.Pick(months);
        int day = r.NextInt(1, month.Days + 1);
        var weekday = r.Pick(WeatherLexicon.Weekdays);
        bool tomorrow = r.Chance(0.8);

        int now = s.Unit("JETZT");
        int weather = s.Unit("WETTER");
        if (r.Chance(0.5)) s.Unit("WIE AUSSEHEN");
        int when = s.Unit(tomorrow ? "MORGEN" : "HEUTE");
        int wd = s.Unit(weekday.Gloss);
        int date = s.Unit(WeatherLexicon.NumberGlosses[day]);
        int mon = s.Unit(month.Gloss);

        s.Say("und").Say(now, r.Chance(0.7) ? "nun" : "jetzt").Say("die").Say(weather, "wettervorhersage").Say("für");
        s.Say(when, tomorrow ? "morgen" : "heute").Say(wd, weekday.Word);
        s.Say("den").Say(date, WeatherLexicon.OrdinalWords[day]).Say(mon, month.Word);
    }

    /// One weather clause: "am tag scheint im süden die sonne ." ↔ TAG SUED SONNE
    private static void Weather(SentenceBuilder s, SynthRandom r, Season season)
    {
        Adverbial? time = r.Chance(0.65) ? r.Pick(WeatherLexicon.Times) : null;
        Adverbial? place = time is null || r.Chance(0.75) ? r.Pick(WeatherLexicon.Places) : null;
        var phen = PickPhenomenon(r, season);
        var form = r.Pick(phen.Forms);

        int t = time is null ? -1 : s.Unit(time.Gloss);
        int p = place is null ? -1 : s.Unit(place.Gloss);
        if (place is not null && r.Chance(0.1)) s.Unit("IX");
        int also = place is not null && r.Chance(0.08) ? s.Unit("AUCH") : -1;
        int u = s.Unit(phen.Gloss);

        var c = FromPhenomenon(u, form);
        if (time is not null) c.Adverbials.Add(new Adv(t, time.German));
        if (place is not null) c.Adverbials.Add(new Adv(p, place.German, also));
        MainClause(s, r, c);
    }

    /// Two clauses: "am tag scheint im süden die sonne und im norden gibt es schauer ."
    /// ↔ TAG SUED SONNE NORD SCHAUER (also with "aber" ↔ ABER and "sonst" ↔ SONST).
    private static void Compound(SentenceBuilder s, SynthRandom r, Season season)
    {
        Adverbial? time = r.Chance(0.6) ? r.Pick(WeatherLexicon.Times) : null;
        var place1 = PickPlace(r);
        var phen1 = PickPhenomenon(r, season);
        var phen2 = PickPhenomenon(r, season, except: phen1.Gloss);
        int kind = r.PickWeighted([0.65, 0.15, 0.2]); // und, aber, sonst
        Adverbial? place2 = kind == 2 ? null : PickPlace(r, except: place1.Gloss);

        int t = time is null ? -1 : s.Unit(time.Gloss);
        int p1 = s.Unit(place1.Gloss);
        int u1 = s.Unit(phen1.Gloss);
        int conj = kind switch { 1 => s.Unit("ABER"), 2 => s.Unit("SONST"), _ => -1 };
        int p2 = place2 is null ? -1 : s.Unit(place2.Gloss);
        int u2 = s.Unit(phen2.Gloss);

        var c1 = FromPhenomenon(u1, r.Pick(phen1.Forms));
        if (time is not null) c1.Adverbials.Add(new Adv(t, time.German));
        c1.Adverbials.Add(new Adv(p1, place1.German));
        MainClause(s, r, c1);

        var c2 = FromPhenomenon(u2, r.Pick(phen2.Forms));
        if (kind == 2)
        {
            MainClause(s, r, c2, lead: () => s.Say(conj, "sonst"));
            return;
        }
        SayMaybe(s, conj, kind == 1 ? "aber" : "und");
        c2.Adverbials.Add(new Adv(p2, place2!.German));
        MainClause(s, r, c2);
    }

    /// "während im norden die sonne scheint regnet es im süden ." ↔ NORD SONNE SUED REGEN
    private static void While(SentenceBuilder s, SynthRandom r, Season season)
    {
        Adverbial? time = r.Chance(0.4) ? r.Pick(WeatherLexicon.Times) : null;
        var place1 = PickPlace(r);
        var place2 = PickPlace(r, except: place1.Gloss);
        var phen1 = PickPhenomenon(r, season);
        var phen2 = PickPhenomenon(r, season, except: phen1.Gloss);

        int t = time is null ? -1 : s.Unit(time.Gloss);
        int p1 = s.Unit(place1.Gloss);
        int u1 = s.Unit(phen1.Gloss);
        int p2 = s.Unit(place2.Gloss);
        int u2 = s.Unit(phen2.Gloss);

        var sub = FromPhenomenon(u1, r.Pick(phen1.Forms));
        sub.Adverbials.Add(new Adv(p1, place1.German));
        var main = FromPhenomenon(u2, r.Pick(phen2.Forms));
        if (time is not null) main.Adverbials.Add(new Adv(t, time.German));
        main.Adverbials.Add(new Adv(p2, place2.German));

        if (r.Chance(0.5)) MainClause(s, r, main, lead: () => SubordinateClause(s, sub, "während"));
        else
        {
            MainClause(s, r, main);
            SubordinateClause(s, sub, "während");
        }
    }

    /// "die temperaturen liegen morgen im norden zwischen zehn und achtzehn grad ."
    /// ↔ MORGEN NORD TEMPERATUR ZEHN BIS ACHTZEHN GRAD, or the contrast form
    /// "heute nacht vierzehn grad am oberrhein bis null grad im norden ." ↔ HEUTE NACHT OBERRHEIN VIERZEHN GRAD NORD NULL GRAD
    private static void Temperature(SentenceBuilder s, SynthRandom r, Season season)
    {
        Adverbial? time = r.Chance(0.7) ? r.Pick(WeatherLexicon.Times) : null;
        bool night = time?.Night ?? false;
        var (lo, hi) = TemperatureRange(season, night);

        if (r.Chance(0.25))
        {
            var warmPlace = PickPlace(r);
            var coldPlace = PickPlace(r, except: warmPlace.Gloss);
            int high = r.NextInt(lo + 4, hi + 1), low = r.NextInt(lo, high - 3);
            int tt = time is null ? -1 : s.Unit(time.Gloss);
            int wp = s.Unit(warmPlace.Gloss);
            int wv = s.Unit(NumberGloss(high) + " GRAD");
            int cp = s.Unit(coldPlace.Gloss);
            int cv = s.Unit(NumberGloss(low) + " GRAD");
            if (time is not null) s.Say(tt, time.German);
            s.Say(wv, $"{NumberWords(high, 0)} grad@{NumberGlossCount(high)}").Say(wp, warmPlace.German).Say("bis");
            s.Say(cv, $"{NumberWords(low, 0)} grad@{NumberGlossCount(low)}").Say(cp, coldPlace.German);
            return;
        }

        Adverbial? place = r.Chance(0.5) ? r.Pick(WeatherLexicon.Places) : null;
        int a = r.NextInt(lo, hi - 2);
        int b = r.NextInt(a + 3, Math.Min(hi, a + 10) + 1);
        var (subjectGloss, subjectWords) = r.NextInt(3) switch
        {
            0 => ("TEMPERATUR", "die temperaturen"),
            1 => ("TEMPERATUR", "die werte"),
            _ => night ? ("TEMPERATUR TIEFST", "die tiefstwerte@0+1") : ("TEMPERATUR HOECHST", "die höchstwerte@0+1"),
        };
        int form = r.NextInt(3);
        string rangeGloss = $"{NumberGloss(a)} BIS {NumberGloss(b)} GRAD";
        int na = NumberGlossCount(a), nb = NumberGlossCount(b);
        string numbers = $"{NumberWords(a, 0)} {(form == 0 ? "und" : "bis")}@{na} {NumberWords(b, na + 1)} grad@{na + 1 + nb}";
        string rangeWords = form switch { 0 => "zwischen@- " + numbers, 1 => numbers, _ => "auf@- " + numbers };

        int t = time is null ? -1 : s.Unit(time.Gloss);
        int p = place is null ? -1 : s.Unit(place.Gloss);
        int subj = s.Unit(subjectGloss);
        int move = form == 2 ? s.Unit(night ? "SINKEN" : "STEIGEN") : -1;
        int range = s.Unit(rangeGloss);

        var c = new Clause
        {
            Verb = form switch { 0 => new Part(-1, "liegen"), 1 => new Part(-1, "erreichen"), _ => new Part(move, night ? "sinken" : "steigen") },
            FirstPostCanFront = true,
        };
        c.Post.Add(new Part(subj, subjectWords));
        c.Post.Add(new Part(range, rangeWords));
        if (time is not null) c.Adverbials.Add(new Adv(t, time.German));
        if (place is not null) c.Adverbials.Add(new Adv(p, place.German));
        MainClause(s, r, c);
    }

    /// "der wind weht schwach bis mäßig aus südwest ." ↔ WIND SUEDWEST SCHWACH MAESSIG, and gusts:
    /// "an der küste gibt es stürmische böen ." ↔ KUESTE BOEEN STURM
    private static void Wind(SentenceBuilder s, SynthRandom r)
    {
        Adverbial? time = r.Chance(0.5) ? r.Pick(WeatherLexicon.Times) : null;
        Adverbial? place = r.Chance(0.5) ? r.Pick(WeatherLexicon.Places) : null;
        int form = r.PickWeighted([0.5, 0.2, 0.3]);
        int t = time is null ? -1 : s.Unit(time.Gloss);
        int p = place is null ? -1 : s.Unit(place.Gloss);
        Clause c;
        if (form == 2)
        {
            var gust = r.Pick(WeatherLexicon.Gusts);
            bool possible = r.Chance(0.4);
            int g = s.Unit(gust.Gloss);
            int m = possible ? s.Unit("MOEGLICH") : -1;
            c = possible
                ? new Clause { Verb = new Part(-1, "sind"), FirstPostCanFront = true }
                : new Clause { Verb = new Part(-1, "gibt"), Pre = new Part(-1, "es"), PreCanFront = true };
            c.Post.Add(new Part(g, gust.German));
            if (possible) c.Post.Add(new Part(m, "möglich"));
        }
        else
        {
            var dir = r.Chance(0.85) ? r.Pick(WeatherLexicon.Directions) : default;
            int k = r.NextInt(WeatherLexicon.WindStrengths.Length - 1);
            bool range = form == 0 && r.Chance(0.7);
            var s1 = WeatherLexicon.WindStrengths[k];
            var s2 = WeatherLexicon.WindStrengths[k + 1];
            int wind = s.Unit("WIND");
            int d = dir.Gloss is null ? -1 : s.Unit(dir.Gloss);
            int str = s.Unit(range ? $"{s1.Gloss} {s2.Gloss}" : s1.Gloss);
            string dirWords = dir.Gloss is null ? "" : r.Chance(0.7) ? $"aus@- {dir.Short}" : $"aus@- {dir.Adjective} richtungen@-";
            if (form == 0)
            {
                c = new Clause { Verb = new Part(wind, "weht"), Pre = new Part(wind, "der wind"), PreCanFront = true };
                c.Post.Add(new Part(str, range ? $"{s1.Adverb} bis@- {s2.Adverb}@1" : s1.Adverb));
            }
            else
            {
                c = new Clause { Verb = new Part(wind, "weht"), Pre = new Part(str, "ein@- " + s1.Adjective) };
                c.Post.Add(new Part(wind, "wind"));
            }
            if (d >= 0) c.Post.Add(new Part(d, dirWords));
        }
        if (time is not null) c.Adverbials.Add(new Adv(t, time.German));
        if (place is not null) c.Adverbials.Add(new Adv(p, place.German));
        MainClause(s, r, c);
    }

    /// Pressure systems and air masses:
    /// "morgen sorgt ein hoch über skandinavien für ruhiges wetter ." ↔ MORGEN SKANDINAVIEN HOCH WETTER RUHIG
    /// "am tag strömt feuchte luft von westen zu uns ." ↔ TAG WEST LUFT FEUCHT KOMMEN
    /// "das tief zieht nach osten ab ." ↔ TIEF OST WEG
    private static void Pressure(SentenceBuilder s, SynthRandom r, Season season)
    {
        Adverbial? time = r.Chance(0.45) ? r.Pick(WeatherLexicon.Times) : null;
        int form = r.PickWeighted([0.45, 0.35, 0.2]);
        int t = time is null ? -1 : s.Unit(time.Gloss);
        if (form == 0)
        {
            var area = r.Pick(WeatherLexicon.Areas);
            bool high = r.Chance(0.5);
            string result, resultGloss;
            if (high)
            {
                var w = PickSeasonal(r, WeatherLexicon.HighWeather, x => x.Seasons, season);
                (resultGloss, result) = ($"WETTER {w.Gloss}", $"{w.Adjective}@1 wetter");
            }
            else
            {
                var w = PickSeasonal(r, WeatherLexicon.LowWeather, x => x.Seasons, season);
                (resultGloss, result) = (w.Gloss, w.German);
            }
            int a = s.Unit(area.Gloss);
            int sys = s.Unit(high ? "HOCH" : "TIEF");
            int res = s.Unit(resultGloss);
            bool bring = r.Chance(0.5);
            if (time is not null && r.Chance(0.6))
            {
                s.Say(t, time.German).Say(bring ? "bringt uns" : "sorgt").Say("ein").Say(sys, high ? "hoch" : "tief").Say(a, area.German);
                s.Say(bring ? "" : "für").Say(res, result);
            }
            else
            {
                s.Say("ein").Say(sys, high ? "hoch" : "tief").Say(a, area.German).Say(bring ? "bringt" : "sorgt");
                if (time is not null) s.Say(t, time.German);
                s.Say(bring ? "uns" : "für").Say(res, result);
            }
        }
        else if (form == 1)
        {
            var air = PickSeasonal(r, WeatherLexicon.AirMasses, x => x.Seasons, season);
            var dir = r.Pick(WeatherLexicon.Directions);
            int d = s.Unit(dir.Gloss);
            int luft = s.Unit($"LUFT {air.Gloss}");
            int come = s.Unit("KOMMEN");
            var c = new Clause { Verb = new Part(come, r.Chance(0.5) ? "strömt" : "gelangt"), FirstPostCanFront = true };
            string airGlosses = string.Join('+', Enumerable.Range(1, air.Gloss.Split(' ').Length));
            c.Post.Add(new Part(luft, $"{air.Adjective}@{airGlosses} luft"));
            c.Post.Add(new Part(d, $"von@- {dir.Target}"));
            c.Post.Add(new Part(-1, r.Chance(0.5) ? "zu uns" : "nach deutschland"));
            if (time is not null) c.Adverbials.Add(new Adv(t, time.German));
            MainClause(s, r, c);
        }
        else
        {
            bool high = r.Chance(0.5);
            var dir = r.Pick(WeatherLexicon.Directions);
            int sys = s.Unit(high ? "HOCH" : "TIEF");
            int d = s.Unit(dir.Gloss);
            int away = s.Unit("WEG");
            var c = new Clause
            {
                Verb = new Part(away, "zieht"),
                Pre = new Part(sys, high ? "das hoch" : "das tief"),
                PreCanFront = true,
                Particle = new Part(away, "ab"),
            };
            c.Post.Add(new Part(d, $"nach@- {dir.Target}"));
            if (time is not null) c.Adverbials.Add(new Adv(t, time.German));
            MainClause(s, r, c);
        }
    }

    /// "am wochenende geht es wechselhaft weiter ." ↔ WOCHENENDE WECHSELHAFT WEITER,
    /// "auch am sonntag bleibt es freundlich ." ↔ SONNTAG AUCH FREUNDLICH,
    /// "am montag wird es wieder wärmer ." ↔ MONTAG WIEDER WARM
    private static void Outlook(SentenceBuilder s, SynthRandom r, Season season)
    {
        var time = r.Pick(WeatherLexicon.Times);
        var adj = PickSeasonal(r, WeatherLexicon.Outlook, x => x.Seasons, season);
        int t = s.Unit(time.Gloss);
        switch (r.NextInt(3))
        {
            case 0:
            {
                int a = s.Unit(adj.Gloss);
                int on = s.Unit("WEITER");
                s.Say(t, time.German).Say(on, "geht").Say("es").Say(a, adj.Positive).Say(on, "weiter");
                break;
            }
            case 1:
            {
                int also = s.Unit("AUCH");
                int a = s.Unit(adj.Gloss);
                s.Say(also, "auch").Say(t, time.German).Say("bleibt es").Say(a, adj.Positive);
                break;
            }
            default:
            {
                int again = s.Unit("WIEDER");
                int a = s.Unit(adj.Gloss);
                s.Say(t, time.German).Say("wird es").Say(again, "wieder").Say(a, adj.Comparative);
                break;
            }
        }
    }

    /// "ich wünsche ihnen einen schönen abend ." ↔ SCHOEN ABEND WUENSCHEN,
    /// "ihnen noch einen schönen tag und machen sie es gut ." ↔ SCHOEN TAG TSCHUESS,
    /// "guten abend liebe zuschauer ." ↔ GUT ABEND ZUSCHAUER
    private static void Closing(SentenceBuilder s, SynthRandom r)
    {
        if (r.Chance(0.2))
        {
            int hello = s.Unit("GUT ABEND");
            int viewers = s.Unit("ZUSCHAUER");
            s.Say(hello, "guten abend").Say("liebe").Say(viewers, "zuschauer");
            return;
        }
        var wish = r.Pick(WeatherLexicon.Wishes);
        int nice = s.Unit($"SCHOEN {wish.Gloss}");
        bool verb = r.Chance(0.5);
        int want = verb ? s.Unit("WUENSCHEN") : -1;
        int bye = r.Chance(0.4) ? s.Unit("TSCHUESS") : -1;
        string article = wish.Gloss is "WOCHENENDE" ? "ein schönes" : wish.Gloss is "NACHT" ? "eine gute" : "einen schönen";
        string[] niceWords = article.Split(' ');
        if (verb) s.Say("ich").Say(want, "wünsche").Say("ihnen");
        else s.Say("ihnen noch");
        s.Say(niceWords[0]).Say(nice, $"{niceWords[1]} {wish.German}@1");
        if (bye >= 0) s.Say("und").Say(bye, "machen sie es gut");
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static T PickSeasonal<T>(SynthRandom r, IReadOnlyList<T> items, Func<T, Season> seasons, Season season)
    {
        while (true)
        {
            var x = r.Pick(items);
            if ((seasons(x) & season) != 0) return x;
        }
    }

    /// Plausible temperature bounds in °C for a season, by day or night.
    private static (int Low, int High) TemperatureRange(Season season, bool night) => (season, night) switch
    {
        (Season.Winter, false) => (-6, 8),
        (Season.Winter, true) => (-15, 2),
        (Season.Spring, false) => (6, 22),
        (Season.Spring, true) => (-3, 10),
        (Season.Summer, false) => (17, 35),
        (Season.Summer, true) => (7, 20),
        (_, false) => (4, 18),
        _ => (-4, 10),
    };

    private static string NumberGloss(int n) => n < 0 ? "MINUS " + WeatherLexicon.NumberGlosses[-n] : WeatherLexicon.NumberGlosses[n];

    private static int NumberGlossCount(int n) => n < 0 ? 2 : 1;

    /// The German words of a number with gloss suffixes starting at <paramref name="offset"/>
    /// ("minus@3 sechs@4").
    private static string NumberWords(int n, int offset) => n < 0
        ? $"minus@{offset} {WeatherLexicon.NumberWords[-n]}@{offset + 1}"
        : $"{WeatherLexicon.NumberWords[n]}@{offset}";

    private static string Marker(string token)
    {
        int at = token.IndexOf('@');
        return at < 0 ? "" : token[at..];
    }

    private static void SayMaybe(SentenceBuilder s, int unitOrNone, string words)
    {
        if (unitOrNone >= 0) s.Say(unitOrNone, words);
        else s.Say(words);
    }
}
